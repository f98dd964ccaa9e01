package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.seccomp_data;
import io.jbinfmt.bindings.libc.seccomp_notif;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SeccompNotifyTest {
    @Test
    void notificationOffsetsMatchTheGeneratedLayout() {
        assertEquals(seccomp_notif.layout().byteSize(), SeccompNotify.NOTIF_SIZE);
        assertEquals(seccomp_notif.id$offset(), SeccompNotify.NOTIF_ID);
        assertEquals(seccomp_notif.pid$offset(), SeccompNotify.NOTIF_PID);
        long data = seccomp_notif.data$offset();
        assertEquals(data + seccomp_data.nr$offset(), SeccompNotify.NOTIF_NR);
        assertEquals(data + seccomp_data.arch$offset(), SeccompNotify.NOTIF_ARCH);
        assertEquals(data + seccomp_data.args$offset(), SeccompNotify.NOTIF_ARGS);
    }
}
