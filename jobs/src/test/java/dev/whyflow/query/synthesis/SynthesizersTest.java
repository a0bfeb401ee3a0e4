package dev.whyflow.query.synthesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SynthesizersTest {

    static final SynthesisRequest REQUEST =
            new SynthesisRequest(
                    "how many orders yesterday?",
                    "count",
                    "1,520 orders yesterday.",
                    List.of(),
                    List.of());

    @Test
    void nothingConfiguredIsTheTemplateWriter() {
        Synthesizer s = Synthesizers.fromConfig(Map.of(), Map.of());
        assertThat(s.synthesize(REQUEST)).isEqualTo(Synthesis.template("1,520 orders yesterday."));
        assertThat(LlmOptions.from(Map.of(), Map.of()).provider())
                .isEqualTo(LlmOptions.Provider.NONE);
    }

    @Test
    void anAnthropicKeyChoosesClaude() {
        Synthesizer s = Synthesizers.fromConfig(Map.of(), Map.of("ANTHROPIC_API_KEY", "k"));
        assertThat(s).isInstanceOf(LlmSynthesizer.class);
        assertThat(((LlmSynthesizer) s).provider())
                .isEqualTo("anthropic:" + LlmOptions.DEFAULT_ANTHROPIC_MODEL);
    }

    @Test
    void anOpenAiKeyOrABaseUrlChoosesAnOpenAiCompatibleEndpoint() {
        Synthesizer byKey = Synthesizers.fromConfig(Map.of(), Map.of("OPENAI_API_KEY", "k"));
        assertThat(((LlmSynthesizer) byKey).provider())
                .isEqualTo("openai:" + LlmOptions.DEFAULT_OPENAI_MODEL);
        Synthesizer local =
                Synthesizers.fromConfig(
                        Map.of(
                                LlmOptions.BASE_URL,
                                "http://127.0.0.1:11434/v1",
                                LlmOptions.MODEL,
                                "llama3.2"),
                        Map.of());
        assertThat(((LlmSynthesizer) local).provider()).isEqualTo("openai:llama3.2");
    }

    @Test
    void optionsWinOverTheEnvironmentWhichWinsOverDefaults() {
        Map<String, String> env =
                Map.of(
                        "WHYFLOW_LLM_PROVIDER",
                        "openai",
                        "WHYFLOW_LLM_MODEL",
                        "from-env",
                        "WHYFLOW_LLM_TIMEOUT",
                        "2s",
                        "WHYFLOW_LLM_BASE_URL",
                        "http://127.0.0.1:8000/v1",
                        "ANTHROPIC_API_KEY",
                        "k");
        LlmOptions fromEnv = LlmOptions.from(Map.of(), env);
        assertThat(fromEnv.provider()).isEqualTo(LlmOptions.Provider.OPENAI);
        assertThat(fromEnv.model()).isEqualTo("from-env");
        assertThat(fromEnv.timeout()).isEqualTo(Duration.ofSeconds(2));
        LlmOptions fromOptions =
                LlmOptions.from(
                        Map.of(
                                LlmOptions.MODEL,
                                "from-options",
                                LlmOptions.TIMEOUT,
                                "750ms",
                                LlmOptions.MAX_TOKENS,
                                "300",
                                LlmOptions.TEMPERATURE,
                                "default"),
                        env);
        assertThat(fromOptions.model()).isEqualTo("from-options");
        assertThat(fromOptions.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(fromOptions.maxTokens()).isEqualTo(300);
        assertThat(fromOptions.temperature()).isNull();
        assertThat(LlmOptions.from(Map.of(), Map.of()).timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void providerNoneWinsOverAKey() {
        Synthesizer s =
                Synthesizers.fromConfig(
                        Map.of(LlmOptions.PROVIDER, "none"), Map.of("ANTHROPIC_API_KEY", "k"));
        assertThat(s.synthesize(REQUEST)).isEqualTo(Synthesis.template("1,520 orders yesterday."));
    }

    @Test
    void aConfiguredProviderWithoutItsKeyGivesTheTemplateAndSaysWhy() {
        Synthesis s =
                Synthesizers.fromConfig(Map.of(LlmOptions.PROVIDER, "anthropic"), Map.of())
                        .synthesize(REQUEST);
        assertThat(s.mode()).isEqualTo(Synthesis.TEMPLATE);
        assertThat(s.text()).isEqualTo("1,520 orders yesterday.");
        assertThat(s.fallback()).isEqualTo(Synthesizers.NO_API_KEY);
        assertThat(s.provider()).isEqualTo("anthropic:" + LlmOptions.DEFAULT_ANTHROPIC_MODEL);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "whyflow.llm.provider|claude|whyflow.llm.provider claude: expected none, anthropic or openai",
                "whyflow.llm.timeout|soon|whyflow.llm.timeout soon: expected a duration like 500ms, 5s or 1min",
                "whyflow.llm.timeout|0s|whyflow.llm.timeout 0s: expected more than 0 and at most 10min",
                "whyflow.llm.timeout|2h|whyflow.llm.timeout 2h: expected more than 0 and at most 10min",
                "whyflow.llm.base-url|ftp://host/v1|whyflow.llm.base-url ftp://host/v1: expected an http:// or https:// URL",
                "whyflow.llm.base-url|not a url|whyflow.llm.base-url not a url: not a URL",
                "whyflow.llm.base-url|http://me:secret@host/v1|whyflow.llm.base-url: credentials do not belong in the URL",
                "whyflow.llm.max-tokens|lots|whyflow.llm.max-tokens lots: expected a whole number from 16 to 8192",
                "whyflow.llm.temperature|hot|whyflow.llm.temperature hot: expected a number from 0 to 2, or default",
            })
    void aBadValueIsATypedErrorNamingTheOption(String key, String value, String message) {
        assertThatThrownBy(() -> Synthesizers.fromConfig(Map.of(key, value), Map.of()))
                .isInstanceOf(LlmConfigException.class)
                .hasMessageStartingWith(message)
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }

    @Test
    void theOptionsTravelWithAJobWithoutTheKey() throws Exception {
        LlmOptions o = LlmOptions.from(Map.of(), Map.of("ANTHROPIC_API_KEY", "sk-ant-very-secret"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        assertThat(bytes.toString(StandardCharsets.ISO_8859_1))
                .doesNotContain("sk-ant-very-secret")
                .contains("claude");
        assertThat(o.toString()).doesNotContain("sk-ant-very-secret");
        assertThat(LlmOptions.envName(LlmOptions.BASE_URL)).isEqualTo("WHYFLOW_LLM_BASE_URL");
    }
}
