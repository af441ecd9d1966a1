/**
 * The goldfish pipe device as the emulator models it: pipes, DMA regions and the DMA ioctls, with the
 * driver's rules and answers, and nothing of how requests reach it.
 *
 * <p>{@link dev.goldfishdma.emulator.model.GoldfishDevice} holds the open pipes and writes the status text;
 * {@link dev.goldfishdma.emulator.model.EmulatedPipe} is one open (connect string, bytes queued for the guest,
 * parked reads, poll readiness, host close); {@link dev.goldfishdma.emulator.model.DmaIoctls} is what
 * LOCK, UNLOCK, GETOFF and CREATE_REGION do; {@link dev.goldfishdma.emulator.model.EmulatedRegion} and
 * {@link dev.goldfishdma.emulator.model.RegionTable} are the regions, their memory and their physical
 * addresses. Calls return values, errnos or small results; what completes later (a parked read, a poll
 * wake-up) goes through {@link dev.goldfishdma.emulator.model.ReadCompletion} and
 * {@link dev.goldfishdma.emulator.model.PollWaiter}, which whoever serves the device implements.
 */
package dev.goldfishdma.emulator.model;
