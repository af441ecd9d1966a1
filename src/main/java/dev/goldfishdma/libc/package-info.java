/**
 * The C library calls the project needs, as FFM downcalls with {@code errno} captured at the call, and the
 * constants and structs they take, from the generated bindings.
 *
 * <p>{@link dev.goldfishdma.libc.Libc} holds the calls; each failure is an
 * {@link dev.goldfishdma.libc.ErrnoException} that names the call, its arguments and {@code errno} (number,
 * symbolic name, text). {@code read}, {@code write}, {@code open} and {@code poll} are retried on
 * {@code EINTR} by one helper; {@code close} and {@code ioctl} never are.
 * {@link dev.goldfishdma.libc.IoctlRequest} encodes and decodes ioctl request numbers.
 * {@link dev.goldfishdma.libc.Spawn} starts a program with exactly the descriptors chosen (what
 * {@link java.lang.ProcessBuilder} cannot do) and waits for it; {@link dev.goldfishdma.libc.DescriptorPassing}
 * receives a descriptor over a Unix socket: together, what mounting through {@code fusermount3} takes.
 * {@link dev.goldfishdma.libc.FileSystems} says which file system and mount a descriptor is on
 * ({@code fstatfs}, {@code statx}), for the device file rule.
 *
 * <p>This is the bottom layer: the device API ({@code dev.goldfishdma.device}) and the emulated device build on
 * it, and turn its errors into their own; the command-line tool and the benchmarks go through the device API,
 * except the benchmarks that measure this layer against a bare downcall.
 */
package dev.goldfishdma.libc;
