package dev.whyflow.collector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stop-the-world pauses of a JVM that logs {@code -Xlog:gc:file=F:timemillis}, one line each:
 * {@code [1733620000123ms] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(128M) 2.345ms};
 * and what the program allocated meanwhile, from the heap's occupancy: what a pause found, less
 * what the pause before it left. Allocation per event does not depend on the machine's load, and it
 * is what sets how often the collector pauses.
 */
record GcPauses(int count, double totalMs, double maxMs, double allocatedMb) {

    private static final Pattern PAUSE =
            Pattern.compile(
                    "^\\[(\\d+)ms\\].* Pause .* (\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\) ([0-9.]+)ms$");

    /** The pauses that ended between {@code fromMillis} and {@code toMillis} (wall clock). */
    static GcPauses in(Path log, long fromMillis, long toMillis) throws IOException {
        int count = 0;
        double total = 0, max = 0, allocated = 0, leftBefore = -1;
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                Matcher m = PAUSE.matcher(line);
                if (!m.matches()) continue;
                long at = Long.parseLong(m.group(1));
                double found = mb(m.group(2), m.group(3));
                double left = mb(m.group(4), m.group(5));
                if (at >= fromMillis && at <= toMillis) {
                    double ms = Double.parseDouble(m.group(6));
                    count++;
                    total += ms;
                    max = Math.max(max, ms);
                    if (leftBefore >= 0) allocated += Math.max(0, found - leftBefore);
                }
                leftBefore = left;
            }
        }
        return new GcPauses(count, total, max, allocated);
    }

    private static double mb(String n, String unit) {
        double v = Double.parseDouble(n);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }
}
