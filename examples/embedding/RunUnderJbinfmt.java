import io.jbinfmt.tracer.RecordedExec;
import io.jbinfmt.tracer.TracedProcess;
import io.jbinfmt.tracer.TracedProcessBuilder;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Embedding jbinfmt in a Java program (a JUnit extension or a build plugin would do the same): run a command tree
 * with binfmt_misc rules, capture its output in a file, and see which execs were rewritten. Run from the
 * repository root, after `mvn package`, with a JDK 25:
 *
 *   java --enable-native-access=ALL-UNNAMED -cp 'cli/target/jbinfmt-image/lib/*' \
 *       examples/embedding/RunUnderJbinfmt.java RULES.conf PROGRAM [ARGS...]
 */
public class RunUnderJbinfmt {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RunUnderJbinfmt RULES.conf PROGRAM [ARGS...]");
            System.exit(2);
        }
        File output = File.createTempFile("jbinfmt-example", ".out");
        String[] command = java.util.Arrays.copyOfRange(args, 1, args.length);
        TracedProcess p = new TracedProcessBuilder(command)
                .rules(Path.of(args[0]))
                .redirectOutput(output)
                .recordExecs(true)
                .start();
        int status = p.waitFor();
        System.out.println("exit status: " + status);
        System.out.print("output: " + Files.readString(output.toPath()));
        for (RecordedExec e : p.execs()) {
            System.out.println("exec " + new String(e.path()) + ": " + e.decision()
                    + (e.rules().isEmpty() ? "" : " by " + String.join(", ", e.rules())));
        }
        System.out.println("rewrites per rule: " + p.rewritesPerRule());
        output.delete();
    }
}
