package dev.whyflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void aKeyMatchesItsHashAndNothingElseDoes() {
        ApiKeys.NewKey k = ApiKeys.generate();
        assertThat(k.key()).startsWith("wfk_" + k.keyId() + "_");
        assertThat(ApiKeys.keyId(k.key())).isEqualTo(k.keyId());
        assertThat(ApiKeys.matches(k.key(), k.salt(), k.iterations(), k.hash())).isTrue();
        String other =
                k.key().substring(0, k.key().length() - 1) + (k.key().endsWith("A") ? "B" : "A");
        assertThat(ApiKeys.matches(other, k.salt(), k.iterations(), k.hash())).isFalse();
        assertThat(ApiKeys.matches(ApiKeys.generate().key(), k.salt(), k.iterations(), k.hash()))
                .isFalse();
        // the stored hash is salted: the same secret under another salt hashes differently
        assertThat(ApiKeys.generate().hash()).isNotEqualTo(k.hash());
    }

    @Test
    void malformedKeysHaveNoId() {
        assertThat(ApiKeys.keyId(null)).isNull();
        assertThat(ApiKeys.keyId("wfk_short")).isNull();
        assertThat(ApiKeys.keyId("wfk_ZZZZZZZZZZZZ_secret")).isNull();
        assertThat(ApiKeys.keyId("abc_0123456789ab_secret")).isNull();
    }
}
