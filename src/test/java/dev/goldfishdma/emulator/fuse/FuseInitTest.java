package dev.goldfishdma.emulator.fuse;

import dev.goldfishdma.emulator.fuse.gen.Fuse;
import dev.goldfishdma.emulator.fuse.gen.fuse_init_out;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request-timeout flag and field, defined by hand in {@link FuseInit} because the generated header
 * (protocol 7.41) predates them, against what the generated layout and flags say of their neighbours:
 * {@code include/uapi/linux/fuse.h} 7.42 puts {@code uint16_t request_timeout} right after
 * {@code max_stack_depth}, in the first two bytes of 7.41's {@code unused[6]}, and the flag at bit 42.
 */
class FuseInitTest {

    @Test
    void theRequestTimeoutFieldIsTheFirstTwoBytesAfterMaxStackDepth() {
        MemoryLayout layout = fuse_init_out.layout();
        assertEquals(64, layout.byteSize(), "struct fuse_init_out");
        assertEquals(36, layout.byteOffset(groupElement("max_stack_depth")));
        assertEquals(4, fuse_init_out.max_stack_depth$layout().byteSize());
        assertEquals(layout.byteOffset(groupElement("unused")), FuseInit.REQUEST_TIMEOUT_OFFSET);
        assertEquals(40, FuseInit.REQUEST_TIMEOUT_OFFSET);
        assertTrue(FuseInit.REQUEST_TIMEOUT_OFFSET + Short.BYTES <= layout.byteSize());
        assertEquals(0xffff, FuseInit.MAX_REQUEST_TIMEOUT_SECONDS, "a uint16_t of seconds");
    }

    @Test
    void theRequestTimeoutFlagIsBit42AboveEveryGeneratedFlag() {
        assertEquals(1L << 42, FuseInit.REQUEST_TIMEOUT_FLAG);
        assertEquals(1 << 10, FuseInit.REQUEST_TIMEOUT_FLAGS2, "bit 42 is bit 10 of flags2");
        // The newest flags the 7.41 header has sit just below it; none of them is the hand-defined bit.
        assertEquals(1L << 37, Fuse.FUSE_PASSTHROUGH());
        assertTrue(Long.numberOfTrailingZeros(FuseInit.REQUEST_TIMEOUT_FLAG) > Long.numberOfTrailingZeros(Fuse.FUSE_PASSTHROUGH()));
        assertEquals(1 << 5, FuseInit.PASSTHROUGH_FLAGS2);
        assertEquals(41, Fuse.FUSE_KERNEL_MINOR_VERSION(), "the pinned header; with 7.42 or newer, generate the "
                + "flag and the field and drop the hand-written ones");
    }
}
