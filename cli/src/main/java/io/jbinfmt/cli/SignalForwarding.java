package io.jbinfmt.cli;

import io.jbinfmt.tracer.Session;
import sun.misc.Signal;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps termination signals sent to jbinfmt from killing the tracer before the command: they are passed on to
 * the command instead, and jbinfmt exits when the command does. Ctrl-C and Ctrl-\ typed at a terminal already
 * reach the command (it is in jbinfmt's foreground process group), so those are not sent a second time.
 * Installed before the command starts; a signal that arrives before it runs is delivered as soon as it does.
 */
final class SignalForwarding {
    private static final String[] FORWARDED = {"INT", "QUIT", "TERM", "HUP"};

    private Session session;
    private final List<Integer> early = new ArrayList<>();

    private SignalForwarding() {
    }

    static SignalForwarding install() {
        SignalForwarding f = new SignalForwarding();
        for (String name : FORWARDED) {
            boolean typedAtTerminal = name.equals("INT") || name.equals("QUIT");
            try {
                Signal.handle(new Signal(name), s -> f.received(s.getNumber(), typedAtTerminal));
            } catch (IllegalArgumentException e) {
                // the JVM reserves this signal (QUIT without -Xrs): leave it to the JVM
            }
        }
        return f;
    }

    private synchronized void received(int signal, boolean typedAtTerminal) {
        if (session == null) {
            early.add(signal);
        } else if (!(typedAtTerminal && session.receivesTerminalSignals())) {
            session.signal(signal);
        }
    }

    /** From now on signals go to {@code s}'s command; any that came before are sent now. */
    synchronized void attach(Session s) {
        this.session = s;
        for (int signal : early) {
            s.signal(signal);
        }
        early.clear();
    }
}
