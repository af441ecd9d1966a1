/**
 * The command-line tool, {@code goldfish-dma}: {@code probe}, {@code transfer}, {@code bench} and
 * {@code emulator}. Entry point: {@link dev.goldfishdma.cli.GoldfishDmaCli}.
 */
package dev.goldfishdma.cli;
