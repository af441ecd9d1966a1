package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/**
 * The {@code hangup} service, for fault tests: echoes what the guest writes, like {@link EchoService}, until
 * it has received {@link #LIMIT} bytes, then closes the pipe from the host side in the middle of the stream
 * (the guest's reads and writes fail with {@code EIO} from then on, as with a host service that goes away).
 */
public final class HangUpService implements HostService {
    /** The service name: connect with {@code "pipe:hangup\0"}. */
    public static final String NAME = "hangup";
    /** Bytes echoed before the host hangs up. */
    public static final long LIMIT = 64 * 1024;

    /** Creates the service. */
    public HangUpService() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Session connect(HostEnd pipe) {
        return new Session() {
            private long received;

            @Override
            public void onGuestWrite(MemorySegment data) {
                long echoed = Math.min(data.byteSize(), Math.max(0, LIMIT - received));
                if (echoed > 0) {
                    pipe.sendToGuest(data.asSlice(0, echoed));
                }
                received += data.byteSize();
                if (received >= LIMIT) {
                    pipe.closeFromHost();
                }
            }

            @Override
            public long writable() {
                // Past the limit nothing more is echoed, so the pipe's room does not matter.
                return received < LIMIT ? pipe.room() : Long.MAX_VALUE;
            }
        };
    }
}
