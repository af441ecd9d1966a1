/**
 * Text that people write and read, shared by the command line and the emulator's options: sizes. Not
 * exported: an implementation detail of this module.
 */
package dev.goldfishdma.text;
