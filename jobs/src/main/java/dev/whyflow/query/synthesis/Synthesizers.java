package dev.whyflow.query.synthesis;

import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synthesizer the configuration asks for: the template writer when no model is configured (the
 * system works fully without one), else a {@link LlmSynthesizer} over Anthropic's Messages API or
 * any OpenAI-compatible chat completions endpoint (OpenAI, Ollama, vLLM), through langchain4j with
 * the JDK HTTP client. Options: {@link LlmOptions}.
 */
public final class Synthesizers {

    /**
     * The fallback of a configured model whose API key is missing where the synthesizer is created.
     */
    public static final String NO_API_KEY = "no_api_key";

    private static final Logger LOG = LoggerFactory.getLogger(Synthesizers.class);

    private Synthesizers() {}

    /** From the job's options, with {@code System.getenv()} for fallbacks and the API key. */
    public static Synthesizer fromConfig(Map<String, String> options) {
        return fromConfig(options, System.getenv());
    }

    /**
     * @throws LlmConfigException when an option's value cannot be used
     */
    public static Synthesizer fromConfig(Map<String, String> options, Map<String, String> env) {
        return create(LlmOptions.from(options, env), env);
    }

    /**
     * For a Flink operator's {@code open()}: the options travel with the job, the key is read from
     * the environment of the process that calls this.
     */
    public static Synthesizer create(LlmOptions options, Map<String, String> env) {
        if (options.provider() == LlmOptions.Provider.NONE) {
            return Synthesizer.template();
        }
        String key = env.get(options.apiKeyVariable());
        boolean hasKey = key != null && !key.isBlank();
        boolean keyRequired =
                options.provider() == LlmOptions.Provider.ANTHROPIC || options.baseUrl() == null;
        if (keyRequired && !hasKey) {
            LOG.warn(
                    "Answer synthesis by {} is configured but {} is not set: template answers are given",
                    options.label(),
                    options.apiKeyVariable());
            String label = options.label();
            return request ->
                    new Synthesis(
                            request.templateAnswer(),
                            Synthesis.TEMPLATE,
                            label,
                            List.of(),
                            NO_API_KEY);
        }
        ChatModel model =
                switch (options.provider()) {
                    case ANTHROPIC -> anthropic(options, key);
                    case OPENAI -> openAi(options, hasKey ? key : null);
                    case NONE -> throw new IllegalStateException("handled above");
                };
        LOG.info(
                "Answer synthesis by {} at {}, timeout {}",
                options.label(),
                options.baseUrl() == null ? "the provider's endpoint" : options.baseUrl(),
                options.timeout());
        return new LlmSynthesizer(model, options.label(), options.timeout());
    }

    /**
     * The chat model the options configure, for other uses than synthesis (mapping a question onto
     * the catalogue's slots); null when none is configured or its required API key is not set.
     */
    public static ChatModel chatModel(LlmOptions options, Map<String, String> env) {
        if (options.provider() == LlmOptions.Provider.NONE) {
            return null;
        }
        String key = env.get(options.apiKeyVariable());
        boolean hasKey = key != null && !key.isBlank();
        boolean keyRequired =
                options.provider() == LlmOptions.Provider.ANTHROPIC || options.baseUrl() == null;
        if (keyRequired && !hasKey) {
            return null;
        }
        return switch (options.provider()) {
            case ANTHROPIC -> anthropic(options, key);
            case OPENAI -> openAi(options, hasKey ? key : null);
            case NONE -> null;
        };
    }

    private static ChatModel anthropic(LlmOptions o, String key) {
        AnthropicChatModel.AnthropicChatModelBuilder b =
                AnthropicChatModel.builder()
                        .httpClientBuilder(JdkHttpClient.builder())
                        .apiKey(key)
                        .modelName(o.model())
                        .timeout(o.timeout())
                        .maxRetries(0)
                        .maxTokens(o.maxTokens())
                        .temperature(o.temperature())
                        .logRequests(false)
                        .logResponses(false);
        if (o.baseUrl() != null) {
            b.baseUrl(o.baseUrl());
        }
        return b.build();
    }

    private static ChatModel openAi(LlmOptions o, String key) {
        OpenAiChatModel.OpenAiChatModelBuilder b =
                OpenAiChatModel.builder()
                        .httpClientBuilder(JdkHttpClient.builder())
                        .modelName(o.model())
                        .timeout(o.timeout())
                        .maxRetries(0)
                        .maxTokens(o.maxTokens())
                        .temperature(o.temperature())
                        .logRequests(false)
                        .logResponses(false);
        if (key != null) {
            b.apiKey(key);
        }
        if (o.baseUrl() != null) {
            b.baseUrl(o.baseUrl());
        }
        return b.build();
    }
}
