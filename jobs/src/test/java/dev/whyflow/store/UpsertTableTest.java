package dev.whyflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpsertTableTest {

    private static final UpsertTable FACTS =
            new UpsertTable(
                    "facts",
                    List.of("id", "at", "what", "late"),
                    List.of("id", "at"),
                    UpsertTable.OnConflict.DO_NOTHING);

    @Test
    void firstWriteWinsTablesIgnoreConflicts() {
        assertThat(FACTS.mergeFromStage()).endsWith("ON CONFLICT (id, at) DO NOTHING");
    }

    @Test
    void newestWriteWinsTablesUpdateEveryNonKeyColumn() {
        UpsertTable t =
                new UpsertTable(
                        "rollup",
                        List.of("k", "a", "b"),
                        List.of("k"),
                        UpsertTable.OnConflict.DO_UPDATE);
        assertThat(t.mergeFromStage())
                .endsWith("ON CONFLICT (k) DO UPDATE SET a = EXCLUDED.a, b = EXCLUDED.b");
    }

    @Test
    void aCorrectingTableUpdatesOnlyItsCorrectedColumnsAndOnlyWhereTheyDiffer() {
        assertThat(FACTS.correcting("late").mergeFromStage())
                .endsWith(
                        "ON CONFLICT (id, at) DO UPDATE SET late = EXCLUDED.late WHERE facts.late IS DISTINCT FROM EXCLUDED.late");
        assertThatThrownBy(() -> FACTS.correcting("id"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FACTS.correcting("nope"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
