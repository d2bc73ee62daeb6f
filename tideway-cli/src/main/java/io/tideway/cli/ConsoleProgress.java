package io.tideway.cli;

import io.tideway.core.spi.CheckResult;
import io.tideway.engine.Progress;
import io.tideway.engine.ProgressListener;
import java.io.PrintStream;
import java.util.List;

/**
 * Shows the engine's progress: on a terminal, a block of lines redrawn in place (total and one
 * line per table in flight); otherwise a plain line every few seconds.
 */
final class ConsoleProgress implements ProgressListener {
    private static final int MAX_TABLE_LINES = 8;
    private final PrintStream out;
    private final boolean terminal;
    private int drawnLines;
    private long lastPlain;

    ConsoleProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    static ConsoleProgress forStdout() {
        return new ConsoleProgress(System.out, System.console() != null && System.getenv("TERM") != null
                && !"dumb".equals(System.getenv("TERM")));
    }

    @Override
    public synchronized void stepStarted(String step) {
        clear();
        out.println("== " + step);
    }

    @Override
    public synchronized void stepFinished(String step, String summary) {
        clear();
        out.println("   " + step + " done: " + summary);
    }

    @Override
    public synchronized void info(String message) {
        clear();
        out.println("   " + message);
    }

    @Override
    public synchronized void warn(String message) {
        clear();
        out.println("   WARN " + message);
    }

    @Override
    public synchronized void precheck(List<CheckResult> results) {
        printPrecheck(out, results, List.of());
    }

    static void printPrecheck(PrintStream out, List<CheckResult> results, List<String> skipped) {
        out.println("== precheck");
        for (CheckResult r : results) {
            String mark = switch (r.status()) {
                case PASS -> "PASS";
                case WARN -> "WARN";
                case FAIL -> skipped.contains(r.item()) ? "SKIP" : "FAIL";
            };
            out.printf("   %-4s %-36s %s%n", mark, r.item(), r.detail());
            if (r.fix() != null && r.status() != CheckResult.Status.PASS) {
                out.printf("        %-36s fix: %s%n", "", r.fix());
            }
        }
    }

    @Override
    public synchronized void progress(Progress.Snapshot s) {
        if (terminal) {
            clear();
            List<String> lines = new java.util.ArrayList<>();
            lines.add("   " + totalLine(s));
            int shown = 0;
            for (Progress.TableLine t : s.tables()) {
                if (!"DONE".equals(t.state()) && !"PENDING".equals(t.state()) && shown < MAX_TABLE_LINES) {
                    lines.add(String.format("     %-40s %-8s %,12d / %,d", abbreviate(t.name(), 40), t.state(), t.rowsDone(), t.rowsTotal()));
                    shown++;
                }
            }
            for (String l : lines) {
                out.println(l);
            }
            drawnLines = lines.size();
            out.flush();
        } else {
            long now = System.currentTimeMillis();
            if (now - lastPlain >= 5000) {
                lastPlain = now;
                out.println("   " + totalLine(s));
            }
        }
    }

    @Override
    public synchronized void incremental(io.tideway.engine.incremental.IncrementalStep.Status s) {
        String line = String.format("incremental %s: lag %s, %,d changes applied, %,.0f changes/s, spool %.1f MB, capture at %s",
                s.state(), s.lagMillis() == Long.MAX_VALUE ? "--" : String.format("%.1f s", s.lagMillis() / 1000.0), s.eventsApplied(),
                s.eventsPerSecond(), s.spoolBytes() / 1e6, s.capturePosition() == null ? "T0" : s.capturePosition())
                + (s.captureReconnecting() == null ? "" : "; capture " + s.captureReconnecting())
                + (s.batch() == null ? "" : "; " + s.batch());
        if (terminal) {
            clear();
            out.println("   " + line);
            drawnLines = 1;
            out.flush();
        } else {
            long now = System.currentTimeMillis();
            if (now - lastPlain >= 5000) {
                lastPlain = now;
                out.println("   " + line);
            }
        }
    }

    static String totalLine(Progress.Snapshot s) {
        double pct = s.rowsTotal() > 0 ? 100.0 * s.rowsDone() / s.rowsTotal() : 100.0;
        long done = s.tables().stream().filter(t -> "DONE".equals(t.state())).count();
        // a step that moves no bytes (verify) shows no MB/s
        return String.format("%s: %,d / %,d rows (%.1f%%), %,.0f rows/s%s, ETA %s, tables %d/%d done", s.step(),
                s.rowsDone(), s.rowsTotal(), Math.min(pct, 100.0), s.rowsPerSecond(),
                s.bytesDone() > 0 ? String.format(", %.1f MB/s", s.bytesPerSecond() / 1e6) : "",
                eta(s.etaSeconds()), done, s.tables().size());
    }

    static String eta(long secs) {
        if (secs < 0) {
            return "--";
        }
        return secs >= 3600 ? String.format("%dh%02dm", secs / 3600, secs / 60 % 60)
                : String.format("%dm%02ds", secs / 60, secs % 60);
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private void clear() {
        if (terminal && drawnLines > 0) {
            for (int i = 0; i < drawnLines; i++) {
                out.print("\033[1A\033[2K");
            }
            drawnLines = 0;
        }
    }
}
