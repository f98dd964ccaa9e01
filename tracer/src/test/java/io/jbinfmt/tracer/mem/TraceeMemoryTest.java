package io.jbinfmt.tracer.mem;

import io.jbinfmt.tracer.sys.ProcessCalls;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TraceeMemory over this very process (process_vm_readv of oneself needs no tracing): strings and arrays across
 * page boundaries, and what a read held during an exec decision serves and what makes it read again.
 */
class TraceeMemoryTest {
    private static final int PAGE = 4096;

    private static void put(MemorySegment m, long at, String s) {
        byte[] b = s.getBytes();
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, at, b.length);
        m.set(ValueLayout.JAVA_BYTE, at + b.length, (byte) 0);
    }

    private static List<String> strings(List<byte[]> l) {
        return l.stream().map(String::new).toList();
    }

    @Test
    void stringsAndArraysAcrossPagesReadTheSameWhetherHeldOrNot() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(3 * PAGE, PAGE);
            put(m, 100, "/bin/hello");
            put(m, PAGE - 3, "abcdef"); // crosses into the second page
            put(m, 2 * PAGE + 8, "xyz");
            long argv = 200;
            m.set(ValueLayout.JAVA_LONG, argv, m.address() + 100);
            m.set(ValueLayout.JAVA_LONG, argv + 8, m.address() + PAGE - 3);
            m.set(ValueLayout.JAVA_LONG, argv + 16, m.address() + 2 * PAGE + 8);
            m.set(ValueLayout.JAVA_LONG, argv + 24, 0);
            int self = ProcessCalls.getpid();
            TraceeMemory memory = new TraceeMemory(arena);
            for (boolean held : new boolean[] {false, true}) {
                if (held) {
                    memory.rememberReads();
                }
                assertEquals("/bin/hello", new String(memory.readCString(self, m.address() + 100, 4095)));
                assertEquals(List.of("/bin/hello", "abcdef", "xyz"),
                        strings(memory.readStringArray(self, m.address() + argv, 8, 100)));
                assertEquals("def", new String(memory.readCString(self, m.address() + PAGE, 4095)));
                assertEquals("cdef", new String(memory.read(self, m.address() + PAGE - 1, 4)));
                memory.forgetReads();
            }
        }
    }

    @Test
    void aHeldPieceServesOnlyItsThreadUntilForgottenOrWritten() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(PAGE, PAGE);
            put(m, 100, "hello");
            int self = ProcessCalls.getpid();
            TraceeMemory memory = new TraceeMemory(arena);
            memory.rememberReads();
            assertEquals("hello", new String(memory.readCString(self, m.address() + 100, 100)));
            put(m, 100, "HELLO");
            assertEquals("hello", new String(memory.readCString(self, m.address() + 100, 100)),
                    "read once per decision: served from the piece held");
            int otherThread = otherThreadOfOurs(self);
            assertEquals("HELLO", new String(memory.readCString(otherThread, m.address() + 100, 100)),
                    "another thread's read is its own");
            memory.write(self, m.address() + 100, "world".getBytes());
            assertEquals("world", new String(memory.readCString(self, m.address() + 100, 100)),
                    "a write forgets what was held");
            put(m, 100, "again");
            memory.forgetReads();
            assertEquals("again", new String(memory.readCString(self, m.address() + 100, 100)));
        }
    }

    private static int otherThreadOfOurs(int self) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.map(p -> Integer.parseInt(p.getFileName().toString())).filter(t -> t != self)
                    .findFirst().orElseThrow();
        }
    }
}
