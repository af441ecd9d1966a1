package dev.goldfishdma.emulator.service;

import java.lang.foreign.MemorySegment;

/** The {@code echo} service: every byte the guest writes comes back to it to read, in order. */
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
        return (MemorySegment data) -> pipe.sendToGuest(data);
    }
}
