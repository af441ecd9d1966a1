package dev.goldfishdma.device;

/** What {@link GoldfishPipe#poll} waits for and reports. */
public enum PipeEvent {
    /** The host has bytes for the pipe: a read returns at once. */
    READABLE,
    /** The host takes bytes now: a write returns at once. */
    WRITABLE,
    /** The host hung up; always reported, whether asked for or not. */
    HANG_UP,
    /** The pipe is in error, e.g. the host closed it; always reported, whether asked for or not. */
    ERROR
}
