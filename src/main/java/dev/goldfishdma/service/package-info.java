/**
 * Wire protocols of host services, shared by their two sides: the guest code that speaks to a service over
 * a {@link dev.goldfishdma.device.GoldfishPipe}, and the emulated device's implementation of the service.
 * {@link dev.goldfishdma.service.DmaServiceProtocol} is the protocol of the emulated host's {@code dma}
 * checksum service.
 */
package dev.goldfishdma.service;
