package dev.whyflow.query.synthesis;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prose by a language model, kept to the evidence. The model sees only the request's evidence
 * ({@link SynthesisPrompt}); its reply is used only when every number in it is grounded ({@link
 * NumericGrounding}), it states at least one figure when there are figures, and it holds no link
 * and no echo of the prompt's markers. Otherwise, and on a timeout, an HTTP error, an empty reply
 * or any other failure, the template answer is given with {@code fallback} saying why: {@code
 * ungrounded}, {@code timeout}, {@code http_<status>}, {@code empty_reply}, {@code unreachable},
 * {@code error}. Never throws.
 */
public final class LlmSynthesizer implements Synthesizer {

    public static final String UNGROUNDED = "ungrounded";
    public static final String TIMEOUT = "timeout";
    public static final String EMPTY_REPLY = "empty_reply";
    public static final String UNREACHABLE = "unreachable";
    public static final String ERROR = "error";

    /** The violation recorded when a reply states none of the request's figures. */
    public static final String NO_FIGURE = "(no figure stated)";

    private static final Logger LOG = LoggerFactory.getLogger(LlmSynthesizer.class);

    /** Calls run here so a reply that stalls after its headers still ends at the deadline. */
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(new DaemonThreads());

    /** The HTTP client's own timeout fires first; this margin only catches a stalled body. */
    private static final Duration DEADLINE_MARGIN = Duration.ofMillis(500);

    private static final Pattern LINK =
            Pattern.compile(
                    "(?i)\\b(?:https?|ftp|file|data|javascript):\\S+|\\bwww\\.\\S+|!?\\[[^\\]]*\\]\\([^)]*\\)");

    private final ChatModel model;
    private final String provider;
    private final Duration deadline;

    /**
     * @param model a langchain4j chat model whose own timeout is {@code timeout}, with no retries
     * @param provider the label recorded in each {@link Synthesis}, e.g. {@code anthropic:claude-…}
     * @param timeout the model's timeout
     */
    public LlmSynthesizer(ChatModel model, String provider, Duration timeout) {
        this.model = model;
        this.provider = provider;
        this.deadline = timeout.plus(DEADLINE_MARGIN);
    }

    public String provider() {
        return provider;
    }

    @Override
    public Synthesis synthesize(SynthesisRequest request) {
        try {
            return attempt(request);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.warn(
                    "Answer synthesis by {} failed ({}); the template answer is given",
                    provider,
                    e.getClass().getName());
            LOG.debug("Answer synthesis failure", e);
            return fallback(request, ERROR, List.of());
        }
    }

    private Synthesis attempt(SynthesisRequest request) {
        SynthesisPrompt prompt = SynthesisPrompt.of(request);
        String reply;
        try {
            reply = call(prompt);
        } catch (Failed f) {
            LOG.warn(
                    "Answer synthesis by {}: {}; the template answer is given", provider, f.detail);
            return fallback(request, f.reason, List.of());
        }
        if (reply == null || reply.isBlank()) {
            return fallback(request, EMPTY_REPLY, List.of());
        }
        String text = SynthesisPrompt.neutralizeReply(reply).strip();
        NumericGrounding grounding = NumericGrounding.of(request);
        List<String> violations = new ArrayList<>(grounding.violations(text));
        violations.addAll(unsafe(text, prompt, request));
        if (violations.isEmpty()
                && !request.figures().isEmpty()
                && !grounding.statesAnyFigure(text)) {
            violations.add(NO_FIGURE);
        }
        if (!violations.isEmpty()) {
            LOG.info(
                    "Answer synthesis by {}: {} ungrounded in the reply; the template answer is given",
                    provider,
                    violations.size());
            return fallback(request, UNGROUNDED, violations);
        }
        return new Synthesis(text, Synthesis.LLM, provider, List.of(), null);
    }

    /**
     * Links the evidence does not hold, and echoes of the data markers: signs of an obeyed
     * injection.
     */
    private static List<String> unsafe(
            String text, SynthesisPrompt prompt, SynthesisRequest request) {
        List<String> out = new ArrayList<>();
        String evidence = prompt.user().toLowerCase(Locale.ROOT);
        Matcher link = LINK.matcher(text);
        while (link.find()) {
            String l = link.group();
            String bare = l.replaceAll("[.,;:!?)\\]]+$", "");
            if (l.startsWith("[")
                    || l.startsWith("!")
                    || !evidence.contains(bare.toLowerCase(Locale.ROOT))) {
                out.add(l);
            }
        }
        if (text.contains(prompt.nonce()) || text.contains("WHYFLOW-DATA")) {
            out.add("WHYFLOW-DATA");
        }
        return out;
    }

    private String call(SynthesisPrompt prompt) throws Failed {
        ChatRequest chat =
                ChatRequest.builder()
                        .messages(
                                SystemMessage.from(prompt.system()),
                                UserMessage.from(prompt.user()))
                        .build();
        Future<ChatResponse> pending = CALLS.submit(() -> model.chat(chat));
        try {
            ChatResponse response = pending.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            AiMessage message = response == null ? null : response.aiMessage();
            return message == null ? null : message.text();
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new Failed(TIMEOUT, "no reply within " + deadline);
        } catch (ExecutionException e) {
            throw new Failed(reason(e.getCause()), describe(e.getCause()));
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new Failed(ERROR, "interrupted");
        }
    }

    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof dev.langchain4j.exception.TimeoutException
                    || t instanceof HttpTimeoutException
                    || t instanceof SocketTimeoutException) {
                return TIMEOUT;
            }
            if (t instanceof HttpException h) {
                return "http_" + h.statusCode();
            }
            if (t instanceof ConnectException) {
                return UNREACHABLE;
            }
        }
        return ERROR;
    }

    /** The failure's class and the start of its message (an error body), for the log only. */
    private static String describe(Throwable t) {
        String m = t == null ? null : t.getMessage();
        String cls = t == null ? "unknown" : t.getClass().getSimpleName();
        return m == null
                ? cls
                : cls
                        + ": "
                        + SynthesisPrompt.neutralize(m.length() > 200 ? m.substring(0, 200) : m);
    }

    private Synthesis fallback(SynthesisRequest request, String reason, List<String> violations) {
        return new Synthesis(
                request.templateAnswer(), Synthesis.TEMPLATE, provider, violations, reason);
    }

    private static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        final String reason;
        final String detail;

        Failed(String reason, String detail) {
            super(reason, null, false, false);
            this.reason = reason;
            this.detail = detail;
        }
    }

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "whyflow-llm-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
