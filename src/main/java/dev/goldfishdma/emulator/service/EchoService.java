package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/**
 * The {@code echo} service: every byte the guest writes comes back to it to read, in order. It takes no more
 * than the pipe has room for: a guest that writes without reading waits once the pipe buffer is full, as
 * with a real pipe.
 */
public final class EchoService implements HostService {
    /** The service name: connect with {@code "pipe:echo\0"}. */
    public static final String NAME = "echo";

    /** Creates the service. */
    public EchoService() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Session connect(HostEnd pipe) {
        return new Session() {
            @Override
            public void onGuestWrite(MemorySegment data) {
                pipe.sendToGuest(data);
            }

            @Override
            public long writable() {
                return pipe.room();
            }
        };
    }
}
