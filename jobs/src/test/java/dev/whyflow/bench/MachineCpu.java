package dev.whyflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where this machine's CPU went between two moments: busy and idle core-seconds from {@code
 * /proc/stat}, and the CPU of the local stack's processes by kind (the Flink TaskManager, the Kafka
 * broker, PostgreSQL with its exited backends and workers), from {@code /proc/PID/stat}. A
 * benchmark that shares two cores with the services it measures needs this to tell a slow job from
 * a starved one. Linux only; elsewhere every figure is 0.
 */
final class MachineCpu {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private static final List<String> KINDS = List.of("kafka", "postgres", "taskmanager");

    private final double busy;
    private final double idle;
    private final Map<String, Double> byKind;

    private MachineCpu(double busy, double idle, Map<String, Double> byKind) {
        this.busy = busy;
        this.idle = idle;
        this.byKind = byKind;
    }

    static MachineCpu now() {
        double busy = 0;
        double idle = 0;
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal …
            for (int i = 1; i < Math.min(cpu.length, 9); i++) {
                double v = Double.parseDouble(cpu[i]) / TICKS_PER_SECOND;
                if (i == 4 || i == 5) idle += v;
                else busy += v;
            }
        } catch (IOException | RuntimeException e) {
            return new MachineCpu(0, 0, Map.of());
        }
        Map<String, Double> byKind = new LinkedHashMap<>();
        KINDS.forEach(k -> byKind.put(k, 0.0));
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p :
                    (Iterable<Path>)
                            procs.filter(
                                            d ->
                                                    d.getFileName()
                                                            .toString()
                                                            .chars()
                                                            .allMatch(Character::isDigit))
                                    ::iterator) {
                String kind = kind(p);
                if (kind != null) byKind.merge(kind, processSeconds(p), Double::sum);
            }
        } catch (IOException e) {
            // a process list we cannot read: machine totals only
        }
        return new MachineCpu(busy, idle, byKind);
    }

    /** Core-seconds from {@code earlier} to this snapshot: busy, idle, then each kind. */
    Map<String, Double> since(MachineCpu earlier) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("busy", round(busy - earlier.busy));
        out.put("idle", round(idle - earlier.idle));
        for (Map.Entry<String, Double> e : byKind.entrySet()) {
            out.put(e.getKey(), round(e.getValue() - earlier.byKind.getOrDefault(e.getKey(), 0.0)));
        }
        return out;
    }

    private static String kind(Path proc) {
        try {
            String cmd = new String(Files.readAllBytes(proc.resolve("cmdline"))).replace('\0', ' ');
            if (cmd.contains("TaskManagerRunner")) return "taskmanager";
            if (cmd.contains(" kafka.Kafka ")) return "kafka";
            String program = cmd.split(" ", 2)[0];
            if (program.endsWith("/postgres") || program.startsWith("postgres:")) return "postgres";
        } catch (IOException | RuntimeException e) {
            // exited meanwhile
        }
        return null;
    }

    /** utime + stime, plus the children's that were waited for (PostgreSQL's exited backends). */
    private static double processSeconds(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            // the fields after the command name in parentheses (which may hold spaces)
            List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
            return (Long.parseLong(f.get(11))
                            + Long.parseLong(f.get(12))
                            + Long.parseLong(f.get(13))
                            + Long.parseLong(f.get(14)))
                    / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
