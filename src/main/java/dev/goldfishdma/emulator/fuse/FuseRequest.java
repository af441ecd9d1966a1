package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.fuse_in_header;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One request as read from {@code /dev/fuse}: the header and the opcode's arguments after it. A view of the
 * reader's buffer, valid until the next request is read: whatever outlives the request is copied.
 */
final class FuseRequest {
    private static final long HEADER_SIZE = fuse_in_header.sizeof();

    private final MemorySegment whole;
    private final long sequence;

    /** The request of {@code length} bytes at the start of {@code buffer}, read as number {@code sequence}. */
    FuseRequest(MemorySegment buffer, int length, long sequence) {
        this.whole = buffer.asSlice(0, length);
        this.sequence = sequence;
    }

    /**
     * Its place in the order requests were read ({@link FuseConnection#readsStarted()} when it was read):
     * what the page-cache memory orders a writeback's data against the host's writes by.
     */
    long sequence() {
        return sequence;
    }

    int opcode() {
        return fuse_in_header.opcode(whole);
    }

    long unique() {
        return fuse_in_header.unique(whole);
    }

    /** The user that made the request, in the mount's user namespace; 0 for the kernel's own requests. */
    long uid() {
        return Integer.toUnsignedLong(fuse_in_header.uid(whole));
    }

    /** The process (thread) that made the request, in the mount's pid namespace; 0 for the kernel's own. */
    int pid() {
        return fuse_in_header.pid(whole);
    }

    long nodeId() {
        return fuse_in_header.nodeid(whole);
    }

    /** The arguments after the header. */
    MemorySegment body() {
        return whole.asSlice(HEADER_SIZE);
    }

    /** The arguments after the header and after a fixed-size first argument of {@code size} bytes. */
    MemorySegment bodyAfter(long size) {
        return whole.asSlice(HEADER_SIZE + size);
    }

    /** A NUL-terminated name in the body (LOOKUP's only argument). */
    String name() {
        MemorySegment body = body();
        long end = 0;
        while (end < body.byteSize() && body.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(body.asSlice(0, end).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "opcode " + opcode() + " unique=" + unique() + " node=" + nodeId();
    }
}
