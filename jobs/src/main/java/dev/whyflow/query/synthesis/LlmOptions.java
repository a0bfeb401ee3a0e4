package dev.whyflow.query.synthesis;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.util.TimeUtils;

/**
 * Which model, if any, writes an answer's prose. Each option is read from the job's options, else
 * from the environment variable of the same name in upper case ({@code whyflow.llm.base-url} →
 * {@code WHYFLOW_LLM_BASE_URL}), else its default. The API key is not an option: it is read from
 * {@value #ANTHROPIC_API_KEY} or {@value #OPENAI_API_KEY} where the synthesizer is created, so it
 * is never serialized with a job, written to a log or put in an answer.
 *
 * @param provider {@code whyflow.llm.provider}: {@code none}, {@code anthropic} or {@code openai};
 *     when unset, {@code anthropic} if {@value #ANTHROPIC_API_KEY} is set, else {@code openai} if a
 *     base URL or {@value #OPENAI_API_KEY} is set, else {@code none}
 * @param baseUrl {@code whyflow.llm.base-url}: the endpoint up to and including {@code /v1}, e.g.
 *     {@code http://127.0.0.1:11434/v1} for Ollama; null for the provider's own service
 * @param model {@code whyflow.llm.model}: defaults to {@value #DEFAULT_ANTHROPIC_MODEL} or {@value
 *     #DEFAULT_OPENAI_MODEL}
 * @param timeout {@code whyflow.llm.timeout}: longest wait for a reply (default {@code 5s}); then
 *     the template answer is given
 * @param maxTokens {@code whyflow.llm.max-tokens}: longest reply (default 512)
 * @param temperature {@code whyflow.llm.temperature}: default 0; {@code default} leaves it to the
 *     server (some reasoning models refuse any other value than theirs)
 */
public record LlmOptions(
        Provider provider,
        String baseUrl,
        String model,
        Duration timeout,
        int maxTokens,
        Double temperature)
        implements Serializable {

    public static final String PROVIDER = "whyflow.llm.provider";
    public static final String BASE_URL = "whyflow.llm.base-url";
    public static final String MODEL = "whyflow.llm.model";
    public static final String TIMEOUT = "whyflow.llm.timeout";
    public static final String MAX_TOKENS = "whyflow.llm.max-tokens";
    public static final String TEMPERATURE = "whyflow.llm.temperature";

    public static final String ANTHROPIC_API_KEY = "ANTHROPIC_API_KEY";
    public static final String OPENAI_API_KEY = "OPENAI_API_KEY";

    public static final String DEFAULT_ANTHROPIC_MODEL = "claude-haiku-4-5-20251001";
    public static final String DEFAULT_OPENAI_MODEL = "gpt-4.1-mini";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public enum Provider {
        NONE,
        ANTHROPIC,
        OPENAI;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** No model: the template answer. */
    public static LlmOptions none() {
        return new LlmOptions(Provider.NONE, null, null, DEFAULT_TIMEOUT, 512, 0.0);
    }

    /**
     * Reads the options.
     *
     * @param options the job's options (e.g. {@code ParameterTool.toMap()})
     * @param env the environment ({@code System.getenv()})
     * @throws LlmConfigException when a value cannot be used
     */
    public static LlmOptions from(Map<String, String> options, Map<String, String> env) {
        String providerName = get(options, env, PROVIDER);
        String baseUrl = get(options, env, BASE_URL);
        Provider provider;
        if (providerName == null) {
            provider =
                    present(env.get(ANTHROPIC_API_KEY))
                            ? Provider.ANTHROPIC
                            : baseUrl != null || present(env.get(OPENAI_API_KEY))
                                    ? Provider.OPENAI
                                    : Provider.NONE;
        } else {
            try {
                provider = Provider.valueOf(providerName.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new LlmConfigException(
                        PROVIDER + " " + providerName + ": expected none, anthropic or openai");
            }
        }
        if (baseUrl != null) {
            checkUrl(baseUrl);
        }
        String model = get(options, env, MODEL);
        if (model == null) {
            model =
                    switch (provider) {
                        case ANTHROPIC -> DEFAULT_ANTHROPIC_MODEL;
                        case OPENAI -> DEFAULT_OPENAI_MODEL;
                        case NONE -> null;
                    };
        }
        return new LlmOptions(
                provider,
                baseUrl,
                model,
                timeout(get(options, env, TIMEOUT)),
                maxTokens(get(options, env, MAX_TOKENS)),
                temperature(get(options, env, TEMPERATURE)));
    }

    /** The environment variable an option falls back to. */
    public static String envName(String option) {
        return option.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * {@code anthropic:claude-…}, {@code openai:gpt-…}: the {@code provider} of a {@link
     * Synthesis}.
     */
    public String label() {
        return provider == Provider.NONE ? null : provider.wireName() + ":" + model;
    }

    /** The environment variable that holds this provider's API key. */
    public String apiKeyVariable() {
        return provider == Provider.ANTHROPIC ? ANTHROPIC_API_KEY : OPENAI_API_KEY;
    }

    private static String get(Map<String, String> options, Map<String, String> env, String key) {
        String v = options.get(key);
        if (!present(v)) {
            v = env.get(envName(key));
        }
        return present(v) ? v.trim() : null;
    }

    private static boolean present(String v) {
        return v != null && !v.isBlank();
    }

    private static void checkUrl(String url) {
        try {
            URI u = new URI(url);
            if (u.getScheme() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new LlmConfigException(
                        BASE_URL
                                + " "
                                + url
                                + ": expected an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1");
            }
            if (u.getUserInfo() != null) {
                throw new LlmConfigException(
                        BASE_URL
                                + ": credentials do not belong in the URL; set "
                                + OPENAI_API_KEY
                                + " or "
                                + ANTHROPIC_API_KEY);
            }
        } catch (URISyntaxException e) {
            throw new LlmConfigException(
                    BASE_URL + " " + url + ": not a URL (" + e.getReason() + ")");
        }
    }

    private static Duration timeout(String v) {
        if (v == null) {
            return DEFAULT_TIMEOUT;
        }
        Duration d;
        try {
            d = TimeUtils.parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new LlmConfigException(
                    TIMEOUT + " " + v + ": expected a duration like 500ms, 5s or 1min");
        }
        if (d.isZero() || d.isNegative() || d.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new LlmConfigException(
                    TIMEOUT + " " + v + ": expected more than 0 and at most 10min");
        }
        return d;
    }

    private static int maxTokens(String v) {
        if (v == null) {
            return 512;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 16 && n <= 8192) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new LlmConfigException(
                MAX_TOKENS + " " + v + ": expected a whole number from 16 to 8192");
    }

    private static Double temperature(String v) {
        if (v == null) {
            return 0.0;
        }
        if (v.equalsIgnoreCase("default")) {
            return null;
        }
        try {
            double t = Double.parseDouble(v);
            if (t >= 0 && t <= 2) {
                return t;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new LlmConfigException(
                TEMPERATURE + " " + v + ": expected a number from 0 to 2, or default");
    }
}
