package dev.whyflow.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CopyRowTest {

    @Test
    void escapesWhatCopysTextFormatReservesAndCopiesTheRestAsIs() {
        CopyRow row = new CopyRow();
        row.text("plain")
                .text("tab\there")
                .text("a\\b\nc\rd")
                .text("nul\0gone")
                .text(null)
                .text("—ünïcode ≥ 3 s");
        assertThat(row.line())
                .isEqualTo("plain\ttab\\there\ta\\\\b\\nc\\rd\tnulgone\t\\N\t—ünïcode ≥ 3 s\n");
        assertThat(row.reset().text("x\ty").line()).isEqualTo("x\\ty\n");
    }
}
