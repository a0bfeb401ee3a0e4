package dev.whyflow.capture;

import static dev.whyflow.contract.EventType.PAGE_VIEWED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.store.PostgresUpsertSink;
import dev.whyflow.store.StoreCheck;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A replay after a failure judges some events late that the first run did not: their minute's
 * rollup rows, written by the first run, counted them, and the replay may never fire that minute's
 * window again. The events sink rewrites those minutes from the events in the transaction that
 * flips the flags, so rollup + late rows = events still holds.
 */
class LateFlagRepairIT {

    @Test
    void aReplayThatFlagsStoredEventsLateRewritesTheirMinutesRollup() throws Exception {
        try (TestDatabase db = TestDatabase.create("late_flag_repair")) {
            Journeys j = Journeys.web("a1", "s1");
            List<EnrichedEvent> firstRun = new ArrayList<>();
            for (int minute = 0; minute < 3; minute++) {
                for (int i = 0; i < 4; i++)
                    firstRun.add(enriched(j.atMillis(minute * 60_000L + i * 1_000L, PAGE_VIEWED)));
            }
            write(db, firstRun);
            execute(
                    db,
                    "SELECT recompute_rollup(ARRAY(SELECT DISTINCT rollup_bucket(occurred_at) FROM events))"); // the first run's windows
            assertThat(StoreCheck.run(db.store(), new StoreCheck.Period(null, null)).holds())
                    .isTrue();

            // the replay: the same events, the second minute's judged late this time, one more
            // minute new
            List<EnrichedEvent> replay = new ArrayList<>();
            for (EnrichedEvent e : firstRun) {
                EnrichedEvent again = enriched(e.event);
                again.late =
                        e.occurredAt() >= Journeys.T0 + 60_000
                                && e.occurredAt() < Journeys.T0 + 120_000;
                replay.add(again);
            }
            write(db, replay);

            StoreCheck.Result check = StoreCheck.run(db.store(), new StoreCheck.Period(null, null));
            assertThat(check.violations()).as("violations after the replay").isEmpty();
            assertThat(query(db, "SELECT count(*) FROM events WHERE late")).isEqualTo("4");
            assertThat(query(db, "SELECT coalesce(sum(events), 0) FROM metrics_1m"))
                    .as("rolled up")
                    .isEqualTo("8");
        }
    }

    /**
     * A replay that derives another category (the catalog seen after the event this time) moves the
     * event's rollup row.
     */
    @Test
    void aReplayThatDerivesOtherDimensionsMovesTheEventsRollup() throws Exception {
        try (TestDatabase db = TestDatabase.create("dimension_repair")) {
            Journeys j = Journeys.web("a2", "s2");
            List<EnrichedEvent> firstRun = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                EnrichedEvent e = enriched(j.atMillis(i * 1_000L, PAGE_VIEWED));
                e.category = "beauty";
                firstRun.add(e);
            }
            write(db, firstRun);
            execute(
                    db,
                    "SELECT recompute_rollup(ARRAY(SELECT DISTINCT rollup_bucket(occurred_at) FROM events))");
            List<EnrichedEvent> replay = new ArrayList<>();
            for (EnrichedEvent e : firstRun) replay.add(enriched(e.event)); // no category this time
            write(db, replay);

            StoreCheck.Result check = StoreCheck.run(db.store(), new StoreCheck.Period(null, null));
            assertThat(check.violations()).as("violations after the replay").isEmpty();
            assertThat(
                            query(
                                    db,
                                    "SELECT string_agg(category || '=' || events, ',') FROM metrics_1m"))
                    .isEqualTo("=3");
        }
    }

    private static EnrichedEvent enriched(Event e) {
        EnrichedEvent enriched = EnrichedEvent.of(e);
        enriched.sessionId = e.actor.sessionId;
        enriched.semanticText = "viewed a page";
        return enriched;
    }

    private static void write(TestDatabase db, List<EnrichedEvent> events) throws Exception {
        PostgresUpsertSink<EnrichedEvent> sink =
                new PostgresUpsertSink<>(
                        db.store(),
                        StoreRows.EVENTS,
                        new StoreRows.Events(),
                        1_000,
                        Duration.ofMinutes(10));
        try (var h =
                new OneInputStreamOperatorTestHarness<EnrichedEvent, CommittableMessage<Object>>(
                        new SinkWriterOperatorFactory<EnrichedEvent, Object>(sink))) {
            h.open();
            for (EnrichedEvent e : events) h.processElement(e, e.occurredAt());
            h.prepareSnapshotPreBarrier(1);
        }
    }

    private static void execute(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String query(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
