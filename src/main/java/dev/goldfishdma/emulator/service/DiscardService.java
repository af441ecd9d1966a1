package dev.goldfishdma.emulator.service;

/**
 * A service that accepts everything the guest writes and never answers. The emulator registers one as
 * {@code opengles}, so that a client written for the real device, which connects to {@code opengles}
 * before creating its DMA region (AOSP goldfish-opengl, {@code goldfish_dma.cpp}), works unchanged; it does
 * not speak the rendering protocol.
 */
public final class DiscardService implements HostService {
    private final String name;

    /**
     * A discarding service answering to {@code name}.
     *
     * @param name the service name guests connect with
     */
    public DiscardService(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Session connect(HostEnd pipe) {
        return data -> {
        };
    }
}
