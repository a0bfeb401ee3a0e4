package dev.whyflow.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The records in {@code src/test/resources/whyflow/formats/}: written by the hand-written codecs
 * that Jackson data binding replaced (the commit "Golden records of the topic formats as the
 * hand-written codecs write them"), from the same inputs the tests build, so that a test shows the
 * bound format means the same, field for field.
 */
public final class Goldens {

    private Goldens() {}

    /** The lines of a golden file, each one JSON document. */
    public static List<String> lines(String file) {
        try (InputStream in = Goldens.class.getResourceAsStream("/whyflow/formats/" + file)) {
            if (in == null) throw new IllegalStateException("no golden file " + file);
            List<String> lines =
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .filter(l -> !l.isBlank())
                            .toList();
            if (lines.isEmpty())
                throw new IllegalStateException("golden file " + file + " is empty");
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(byte[] json) {
        return tree(new String(json, StandardCharsets.UTF_8));
    }
}
