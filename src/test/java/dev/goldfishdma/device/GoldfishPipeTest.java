package dev.goldfishdma.device;

import dev.goldfishdma.junit.EmulatedGoldfishDeviceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipe through real syscalls on the emulated device. */
class GoldfishPipeTest {
    @RegisterExtension
    static final EmulatedGoldfishDeviceExtension DEVICE = new EmulatedGoldfishDeviceExtension();

    @Test
    void echoRoundTripsThroughEveryReadAndWriteForm() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "echo")) {
            byte[] hello = "hello, host".getBytes(StandardCharsets.UTF_8);
            assertEquals(hello.length, pipe.write(hello, 0, hello.length));
            byte[] back = new byte[hello.length];
            pipe.readFully(back);
            assertArrayEquals(hello, back);

            ByteBuffer heap = ByteBuffer.wrap("heap buffer".getBytes(StandardCharsets.UTF_8));
            assertEquals(11, pipe.write(heap));
            ByteBuffer direct = ByteBuffer.allocateDirect(11);
            while (direct.hasRemaining()) {
                assertTrue(pipe.read(direct) > 0);
            }
            assertEquals("heap buffer", StandardCharsets.UTF_8.decode(direct.flip()).toString());

            try (Arena arena = Arena.ofShared()) {
                MemorySegment big = arena.allocate(200_000);
                for (long i = 0; i < big.byteSize(); i++) {
                    big.set(JAVA_BYTE, i, (byte) (i * 7));
                }
                // More than the pipe buffer: a blocking write of it waits for the reader, as with a real pipe.
                MemorySegment in = arena.allocate(big.byteSize());
                CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                    try {
                        pipe.readFully(in);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertEquals(big.byteSize(), pipe.write(big));
                reader.get(30, TimeUnit.SECONDS);
                assertEquals(-1, in.mismatch(big));
            }
        }
    }

    @Test
    void nonBlockingReadsReturnZeroWhenTheHostHasNothing() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "echo", PipeOption.NON_BLOCKING)) {
            assertTrue(pipe.isNonBlocking());
            byte[] b = new byte[8];
            assertEquals(0, pipe.read(b, 0, b.length));
            assertEquals(Set.of(), pipe.poll(EnumSet.of(PipeEvent.READABLE), Duration.ZERO));
            assertTrue(pipe.poll(EnumSet.of(PipeEvent.WRITABLE), Duration.ofSeconds(5)).contains(PipeEvent.WRITABLE));
            pipe.write("x".getBytes(StandardCharsets.US_ASCII), 0, 1);
            assertTrue(pipe.poll(EnumSet.of(PipeEvent.READABLE), Duration.ofSeconds(5)).contains(PipeEvent.READABLE));
            assertEquals(1, pipe.read(b, 0, b.length));
            assertEquals('x', b[0]);
            assertThrows(IllegalStateException.class, () -> pipe.readFully(b));
        }
    }

    @Test
    void anUnknownServiceClosesThePipeWithEio() throws Exception {
        try (GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "no-such-service")) {
            byte[] b = new byte[4];
            PipeClosedByHostException e = assertThrows(PipeClosedByHostException.class, () -> {
                pipe.write(b, 0, b.length);
                pipe.read(b, 0, b.length);
            });
            assertEquals("EIO", e.errnoName());
            assertTrue(e.target().contains("service no-such-service"), e.target());
            assertTrue(e.getMessage().contains("EIO (5)"), e.getMessage());
        }
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "echo");
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return pipe.read(new byte[8], 0, 8);
            } catch (java.io.IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(reader.isDone(), "the read waits for the host");
        pipe.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> reader.get(10, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
    }

    @Test
    void interruptingABlockedReaderClosesThePipe() throws Exception {
        GoldfishPipe pipe = GoldfishPipe.open(DEVICE.path(), "echo");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                pipe.read(new byte[8], 0, 8);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread.sleep(200);
        assertTrue(reader.isAlive(), "the read waits for the host");
        reader.interrupt();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> reader.join());
        assertInstanceOf(ClosedByInterruptException.class, failure.get());
        assertFalse(pipe.isOpen());
    }

    @Test
    void everyOpenIsAnIndependentPipe() throws Exception {
        try (GoldfishPipe a = GoldfishPipe.open(DEVICE.path(), "echo");
             GoldfishPipe b = GoldfishPipe.open(DEVICE.path(), "echo")) {
            a.write(new byte[] {1}, 0, 1);
            b.write(new byte[] {2}, 0, 1);
            byte[] one = new byte[1];
            a.readFully(one);
            assertEquals(1, one[0]);
            b.readFully(one);
            assertEquals(2, one[0]);
        }
    }
}
