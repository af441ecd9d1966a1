/**
 * The C library calls the project needs, as FFM downcalls with {@code errno} captured at the call, and the
 * constants and structs they take, from the generated bindings.
 *
 * <p>{@link dev.goldfishdma.libc.Libc} holds the calls; each failure is an
 * {@link dev.goldfishdma.libc.ErrnoException} that names the call, its arguments and {@code errno} (number,
 * symbolic name, text). {@link dev.goldfishdma.libc.IoctlRequest} encodes and decodes ioctl request numbers.
 * {@link dev.goldfishdma.libc.Spawn} starts a program with exactly the descriptors chosen (what
 * {@link java.lang.ProcessBuilder} cannot do) and waits for it; {@link dev.goldfishdma.libc.DescriptorPassing}
 * receives a descriptor over a Unix socket: together, what mounting through {@code fusermount3} takes.
 * This layer is public so that tools and engineers can drop below the device API (the {@code probe}
 * command does), and as a model of ioctl and mmap done in FFM.
 */
package dev.goldfishdma.libc;
