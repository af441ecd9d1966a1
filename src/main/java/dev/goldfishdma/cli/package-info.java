/**
 * The command-line tool, {@code goldfish-dma}: {@code probe}, {@code transfer}, {@code bench} and
 * {@code emulator}. Entry point: {@link dev.goldfishdma.cli.GoldfishDmaCli}.
 *
 * <p>The tool works through the device API ({@code dev.goldfishdma.device}) alone, never the libc layer or the
 * generated bindings: {@code probe} runs a {@link dev.goldfishdma.device.DeviceProbe}. The device a command
 * works on is chosen by {@link dev.goldfishdma.emulator.AvailableDevice}; the tool only adds the cleanup of an
 * emulated device on Ctrl-C. Errors become exit codes by their type: {@code NoDeviceException} 3,
 * {@code NotAGoldfishPipeException} and {@code NotADeviceException} 4, a bad argument 2, anything else 1.
 */
package dev.goldfishdma.cli;
