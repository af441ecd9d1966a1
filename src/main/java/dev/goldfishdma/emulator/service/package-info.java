/**
 * The host side of the emulated device: the API a host service is written against, and the services the
 * emulator offers.
 *
 * <p>A guest reaches a {@link dev.goldfishdma.emulator.service.HostService} by writing
 * {@code "pipe:<name>\0"} to a freshly opened pipe; the service gets a
 * {@link dev.goldfishdma.emulator.service.HostService.Session} per pipe, is told the guest's bytes in order,
 * and answers through the pipe's {@link dev.goldfishdma.emulator.service.HostEnd}. Guest memory is reached
 * by physical address through {@link dev.goldfishdma.emulator.service.RegionMemory}, which says nothing of
 * how the emulator shares a region with the guest's mapping: a service works unchanged whatever memory
 * model serves the regions. Nothing here knows of FUSE.
 *
 * <p>The services: {@code echo} ({@link dev.goldfishdma.emulator.service.EchoService}), {@code dma}
 * ({@link dev.goldfishdma.emulator.service.DmaChecksumService}, protocol in
 * {@link dev.goldfishdma.service.DmaServiceProtocol}), {@code opengles}
 * ({@link dev.goldfishdma.emulator.service.DiscardService}: accepts and discards, so that clients written for
 * the real device connect) and {@code hangup} ({@link dev.goldfishdma.emulator.service.HangUpService}: echoes,
 * then closes mid-stream, for fault tests).
 * <p>Service work that takes time runs on {@link dev.goldfishdma.emulator.service.ServiceThreads}, a fixed
 * pool shared by every pipe ({@link dev.goldfishdma.emulator.service.ServiceLimits}: threads, and commands a
 * pipe may have waiting), never on a thread per pipe; a task that throws closes its pipe from the host, so
 * the waiting guest gets EIO rather than no answer. Failures are logged through
 * {@link dev.goldfishdma.emulator.service.RateLimitedLog}, which no client can make grow without bound.
 */
package dev.goldfishdma.emulator.service;
