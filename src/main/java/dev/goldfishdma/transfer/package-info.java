/**
 * The main job's pipeline: input read straight into DMA regions that take turns, every part checked by the
 * host's checksum service. The command-line tool's {@code transfer} runs it, and the benchmarks measure it.
 * Not exported: an implementation detail of this module.
 */
package dev.goldfishdma.transfer;
