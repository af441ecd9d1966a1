package example.upload;

import dev.goldfishdma.device.GoldfishPipe;
import dev.goldfishdma.junit.EmulatedDevice;
import dev.goldfishdma.junit.EmulatedGoldfishDevice;
import dev.goldfishdma.junit.PipeTo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@EmulatedGoldfishDevice // one emulated device for this class; skipped, saying why, where FUSE cannot be mounted
class UploadTest {
    @Test
    void theHostReadsWhatWasWritten(EmulatedDevice device) throws IOException {
        Upload.uploadAndLetTheHostCheck(device.path());
        assertTrue(device.status().contains("regions 0"), device.status());
    }

    @Test
    void theEchoServiceAnswersWithWhatItWasSent(@PipeTo("echo") GoldfishPipe pipe) throws IOException {
        byte[] sent = "ping".getBytes(StandardCharsets.UTF_8);
        pipe.write(sent, 0, sent.length);
        byte[] answer = new byte[sent.length];
        pipe.readFully(answer);
        assertArrayEquals(sent, answer);
    }
}
