package io.jbinfmt.tracer.policy;

import java.util.Arrays;

/**
 * The "#!" line of a script, parsed as fs/binfmt_script.c does from the first 256 bytes of the file: the
 * interpreter name up to the first space, tab or NUL, then at most one argument that runs to the end of the
 * line (inner blanks kept, trailing blanks dropped). A line that does not fit in the 256 bytes is accepted only
 * if the interpreter name itself ends inside them.
 *
 * @param interpreter the interpreter's path
 * @param argument    the optional argument, or null
 */
public record ScriptLine(byte[] interpreter, byte[] argument) {

    /** Whether {@code header} starts with "#!". */
    public static boolean isScript(byte[] header) {
        return header.length >= 2 && header[0] == '#' && header[1] == '!';
    }

    /** The parsed line, or null when the kernel would refuse the script with ENOEXEC. */
    public static ScriptLine parse(byte[] header) {
        byte[] buf = Arrays.copyOf(header, 256);
        int bufEnd = buf.length - 1;
        int iEnd = -1;
        for (int i = 0; i < buf.length && buf[i] != 0; i++) {
            if (buf[i] == '\n') {
                iEnd = i;
                break;
            }
        }
        if (iEnd < 0) {
            iEnd = nextNonSpaceTab(buf, 2, bufEnd);
            if (iEnd < 0 || nextTerminator(buf, iEnd, bufEnd) < 0) {
                return null; // all blank, or the interpreter name is cut off at 256 bytes
            }
            iEnd = bufEnd;
        }
        while (spaceTab(buf[iEnd - 1])) {
            iEnd--;
        }
        int iName = nextNonSpaceTab(buf, 2, iEnd);
        if (iName < 0 || iName == iEnd) {
            return null; // no interpreter name
        }
        int iArg = -1;
        int iSep = nextTerminator(buf, iName, iEnd);
        if (iSep >= 0 && buf[iSep] != 0) {
            iArg = nextNonSpaceTab(buf, iSep, iEnd);
        }
        buf[iEnd] = 0;
        if (iArg >= 0) {
            buf[iSep] = 0;
        }
        return new ScriptLine(cString(buf, iName), iArg >= 0 ? cString(buf, iArg) : null);
    }

    private static boolean spaceTab(byte c) {
        return c == ' ' || c == '\t';
    }

    private static int nextNonSpaceTab(byte[] b, int first, int last) {
        for (int i = first; i <= last; i++) {
            if (!spaceTab(b[i])) {
                return i;
            }
        }
        return -1;
    }

    private static int nextTerminator(byte[] b, int first, int last) {
        for (int i = first; i <= last; i++) {
            if (spaceTab(b[i]) || b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] cString(byte[] b, int from) {
        int end = from;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return Arrays.copyOfRange(b, from, end);
    }
}
