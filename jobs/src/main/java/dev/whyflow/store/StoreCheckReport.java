package dev.whyflow.store;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/**
 * Words a {@link StoreCheck.Result}: one line when all holds, else each violation class with its
 * count and examples.
 */
public final class StoreCheckReport {

    private StoreCheckReport() {}

    public static void render(StoreCheck.Result r, PrintStream out) {
        String period = period(r);
        if (r.holds()) {
            out.printf(
                    "check: all %d invariants hold (%s) %s, in %.1f s%n",
                    r.checked().size(),
                    String.join(", ", r.checked().stream().map(StoreInvariant::title).toList()),
                    period,
                    r.millis() / 1000.0);
            return;
        }
        long total = r.violations().stream().mapToLong(StoreCheck.Violation::count).sum();
        out.printf(
                "check: %d violations in %d classes %s, in %.1f s%n",
                total, r.violations().size(), period, r.millis() / 1000.0);
        for (StoreInvariant invariant : r.checked()) {
            List<StoreCheck.Violation> found = r.of(invariant);
            if (found.isEmpty()) {
                out.printf("  ok    %-22s %s%n", invariant.title(), invariant.statement());
                continue;
            }
            out.printf("  FAIL  %-22s %s%n", invariant.title(), invariant.statement());
            for (StoreCheck.Violation v : found) {
                out.printf("        %s: %d%n", v.name(), v.count());
                for (String example : v.examples()) out.printf("          %s%n", example);
                if (v.count() > v.examples().size())
                    out.printf("          … and %d more%n", v.count() - v.examples().size());
            }
        }
    }

    private static String period(StoreCheck.Result r) {
        Instant to = r.asked().to();
        String end = to == null ? "the end" : to.toString();
        if (r.asked().from() != null) return "from " + r.asked().from() + " to " + end;
        if (r.from() == null) return "over the whole store (no events)";
        return "from " + r.from() + " (oldest events chunk) to " + end;
    }
}
