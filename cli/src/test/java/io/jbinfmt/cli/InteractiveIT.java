package io.jbinfmt.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An interactive bash under jbinfmt in a real terminal (tmux): job control with Ctrl-Z, fg and Ctrl-C. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InteractiveIT implements EndToEndDriver {
    private final String session = "jbinfmt-it-" + ProcessHandle.current().pid();

    static String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("tmux"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("tmux is not installed (.ci/run installs it)", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private String awaitScreen(String needle) throws Exception {
        String screen = "";
        for (int i = 0; i < 300; i++) {
            screen = tmux("capture-pane", "-p", "-t", session);
            if (screen.contains(needle)) {
                return screen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("never saw '" + needle + "' on the screen:\n" + screen);
    }

    /** The pid of the one process whose command line is {@code cmdline}, once it is in {@code state}. */
    private static long awaitProcessState(String cmdline, String state) throws Exception {
        for (int i = 0; i < 600; i++) {
            Process p = new ProcessBuilder("pgrep", "-x", "-f", cmdline).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            if (!out.isEmpty() && !out.contains("\n")) {
                long pid = Long.parseLong(out);
                awaitState(pid, state);
                return pid;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no single process '" + cmdline + "' appeared");
    }

    /** Waits until /proc/PID/stat shows {@code state} (S sleeping, T stopped). */
    private static void awaitState(long pid, String state) throws Exception {
        String stat = "";
        for (int i = 0; i < 600; i++) {
            stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            if (stat.substring(stat.lastIndexOf(')') + 2).startsWith(state)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("process " + pid + " never reached state " + state + ": " + stat);
    }

    @AfterEach
    void kill() throws Exception {
        tmux("kill-session", "-t", session);
    }

    @Test
    void ctrlZAndFgWorkInAnInteractiveShell() throws Exception {
        jobControl(LauncherIT.LAUNCHER + " --");
    }

    /**
     * The kernel engine as an unprivileged user, with no cgroup: the shell is pid 2 of a PID namespace whose init
     * is jbinfmt's, and jbinfmt's process group lies outside it; bash still takes the terminal for its jobs.
     */
    @Test
    void jobControlWorksInTheKernelEnginesPidNamespace() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(EngineUnderTest.name().equals("auto"),
                "names its engine: run once, in the default failsafe run");
        EngineUnderTest.assumeKernelEngineRuns("InteractiveIT", KernelEngineIT.NOBODY);
        jobControl("setpriv --reuid=65534 --regid=65534 --clear-groups " + LauncherIT.LAUNCHER
                + " --engine kernel -v --");
        String screen = tmux("capture-pane", "-p", "-J", "-t", session);
        assertTrue(screen.contains("so the tree lives in a PID namespace of its own"), screen);
    }

    /** Ctrl-Z, fg and Ctrl-C on a job of an interactive bash run by {@code jbinfmt} (the command line up to --). */
    private void jobControl(String jbinfmt) throws Exception {
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30",
                "env PS1='jb$ ' " + jbinfmt + " bash --norc --noprofile -i; echo EXITED=$?; sleep 60");
        awaitScreen("jb$"); // capture-pane trims the trailing blank
        tmux("send-keys", "-t", session, "sleep 30", "Enter");
        // no fixed pauses: a busy machine may take seconds to get there, so wait for the process itself
        long sleep = awaitProcessState("sleep 30", "S");
        tmux("send-keys", "-t", session, "C-z");
        String stopped = awaitScreen("Stopped");
        assertTrue(stopped.contains("sleep 30"), stopped);
        tmux("send-keys", "-t", session, "fg", "Enter");
        awaitState(sleep, "S"); // bash gives the job the terminal before it continues it
        tmux("send-keys", "-t", session, "C-c");
        tmux("send-keys", "-t", session, "echo alive-$((6*7))", "Enter");
        awaitScreen("alive-42");
        tmux("send-keys", "-t", session, "exit 5", "Enter");
        String end = awaitScreen("EXITED=");
        assertTrue(end.contains("EXITED=5"), end);
        assertEquals(-1, end.indexOf("jbinfmt: tracer error"), end);
    }
}
