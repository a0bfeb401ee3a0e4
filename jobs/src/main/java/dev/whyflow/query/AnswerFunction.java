package dev.whyflow.query;

import dev.whyflow.query.synthesis.Synthesizer;
import dev.whyflow.query.synthesis.Synthesizers;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Answers questions asynchronously: one {@link QueryEngine} per parallel instance over a bounded
 * connection pool, its questions run on as many threads as the pool has connections. A question
 * that takes longer than the job's timeout is answered with {@code QUERY_TIMEOUT}; one that finds
 * the store unreachable is answered with {@code STORE_UNAVAILABLE} before that (the options make
 * sure of it), and the pool reconnects by itself when the store is back: the job never restarts for
 * an outage, and a thread never stays blocked on a dead connection.
 */
public class AnswerFunction extends RichAsyncFunction<Question, AnswerRecord> {

    private final QueryOptions options;
    private transient QueryEngine engine;
    private transient ExecutorService threads;

    /**
     * Each conversation's latest question still being answered: the next one of it waits for it.
     */
    private transient Map<String, CompletableFuture<AnswerRecord>> conversations;

    public AnswerFunction(QueryOptions options) {
        this.options = options;
    }

    @Override
    public void open(OpenContext context) {
        Synthesizer synthesizer = Synthesizers.create(options.llm(), System.getenv());
        engine =
                QueryEngine.connect(
                                options.store(),
                                Clock.systemUTC(),
                                options.zone(),
                                synthesizer,
                                options.engineSettings())
                        .understandWith(options.llm(), System.getenv());
        conversations = new ConcurrentHashMap<>();
        threads =
                Executors.newFixedThreadPool(
                        options.poolSize(),
                        r -> {
                            Thread t = new Thread(r, "whyflow-query-answer");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Answers on the pool's threads, any number at once, except the questions of one conversation:
     * each of those starts when the one before it is answered, so that a follow-up ("and on iOS?")
     * meets the question it follows (asyncInvoke is called in the topic's order, one at a time).
     */
    @Override
    public void asyncInvoke(Question q, ResultFuture<AnswerRecord> result) {
        CompletableFuture<AnswerRecord> answered;
        if (q.conversationId == null) {
            answered = CompletableFuture.supplyAsync(() -> answer(q), threads);
        } else {
            CompletableFuture<AnswerRecord> before = conversations.get(q.conversationId);
            answered =
                    before == null
                            ? CompletableFuture.supplyAsync(() -> answer(q), threads)
                            : before.handle((a, e) -> a).thenApplyAsync(a -> answer(q), threads);
            conversations.put(q.conversationId, answered);
            CompletableFuture<AnswerRecord> self = answered;
            answered.whenComplete((a, e) -> conversations.remove(q.conversationId, self));
        }
        answered.whenComplete(
                (a, e) ->
                        result.complete(
                                List.of(
                                        e == null
                                                ? a
                                                : record(
                                                        q,
                                                        Answers.failed(
                                                                q.question,
                                                                "INTERNAL_ERROR",
                                                                e.getClass().getSimpleName())))));
    }

    /**
     * A question past its deadline. In an outage the questions queued behind others that are each
     * waiting out the store's timeouts can reach their deadline before their turn: they are
     * answered {@code STORE_UNAVAILABLE}, the reason they waited, not {@code QUERY_TIMEOUT}.
     */
    @Override
    public void timeout(Question q, ResultFuture<AnswerRecord> result) {
        String question = q.question == null ? "" : q.question;
        boolean outage = engine != null && !engine.storeReachable();
        result.complete(
                List.of(
                        record(
                                q,
                                outage
                                        ? Answers.failed(
                                                question,
                                                "STORE_UNAVAILABLE",
                                                "no answer within "
                                                        + options.answerTimeout()
                                                        + ": the store is unreachable")
                                        : Answers.failed(
                                                question,
                                                "QUERY_TIMEOUT",
                                                "no answer within " + options.answerTimeout()))));
    }

    private AnswerRecord answer(Question q) {
        if (q.error != null) {
            return record(
                    q,
                    Answers.invalid(
                            q.question == null ? "" : q.question,
                            "The question record is invalid: " + q.error + "."));
        }
        Answer a =
                engine.ask(
                        q.question, q.now != null ? Instant.parse(q.now) : null, q.conversationId);
        return record(q, a);
    }

    private static AnswerRecord record(Question q, Answer a) {
        return new AnswerRecord(q.questionId, AnswerJson.toBytes(a.withQuestionId(q.questionId)));
    }

    @Override
    public void close() throws Exception {
        if (threads != null) threads.shutdownNow();
        if (engine != null) engine.close();
    }
}
