/** An application of goldfish-dma, as a module. */
module example.upload {
    requires dev.goldfishdma;
}
