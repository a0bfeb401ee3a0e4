package dev.whyflow.collector;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the machine's CPU went between two moments: each named process of the bench (the clients'
 * JVM, the collector, the broker), and the rest of the machine's busy time (other processes). On
 * two cores shared with other work, throughput and latency move with the load; CPU per event moves
 * much less, so it tells a change that saves work from a quieter minute. Linux only ({@code
 * /proc}); 0 elsewhere.
 */
final class CpuAccount {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final long at;
    private final Map<String, Double> processSeconds;
    private final double machineBusySeconds;

    private CpuAccount(long at, Map<String, Double> processSeconds, double machineBusySeconds) {
        this.at = at;
        this.processSeconds = processSeconds;
        this.machineBusySeconds = machineBusySeconds;
    }

    /** Now, for the processes named in {@code pids} (name → process id). */
    static CpuAccount take(Map<String, Long> pids) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        pids.forEach((name, pid) -> seconds.put(name, processSeconds(pid)));
        return new CpuAccount(System.nanoTime(), seconds, machineBusySeconds());
    }

    /** This JVM's process id. */
    static long self() {
        return ProcessHandle.current().pid();
    }

    /**
     * Core-seconds from {@code earlier} to now: each process, {@code other_processes} (the
     * machine's busy time that none of them used), then {@code machine_busy} and {@code window_s},
     * the window's length.
     */
    Map<String, Double> since(CpuAccount earlier) {
        Map<String, Double> out = new LinkedHashMap<>();
        double ours = 0;
        for (Map.Entry<String, Double> e : processSeconds.entrySet()) {
            double s = e.getValue() - earlier.processSeconds.getOrDefault(e.getKey(), 0.0);
            out.put(e.getKey(), s);
            ours += s;
        }
        double busy = machineBusySeconds - earlier.machineBusySeconds;
        out.put("other_processes", Math.max(0, busy - ours));
        out.put("machine_busy", busy);
        out.put("window_s", (at - earlier.at) / 1e9);
        return out;
    }

    /** The 1-minute load average, or -1 where there is none. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }

    private static double machineBusySeconds() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            double busy = 0;
            // cpu user nice system idle iowait irq softirq steal
            for (int i = 1; i < Math.min(cpu.length, 9); i++)
                if (i != 4 && i != 5) busy += Double.parseDouble(cpu[i]);
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double processSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
