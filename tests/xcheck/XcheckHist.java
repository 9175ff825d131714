// XcheckHist: the Java half of the histogram cross-check, run with Debian's
// libhdrhistogram-java on the class path (java -cp hdrhistogram.jar XcheckHist.java C_OUTPUT).
// It decodes each histogram loadgate encoded and checks it against HdrHistogram's own
// recording of the same data: every count, the uncompressed V2 bytes, total, min, max, mean,
// standard deviation and the value at each percentile loadgate printed. It then prints its
// own encodings and figures of the same data sets, in the same format, for xcheck_hist to
// decode. Exit status 1 on any mismatch.

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.Inflater;
import org.HdrHistogram.Histogram;

public class XcheckHist {
    static final long LOWEST = 1, HIGHEST = 3600000000L;
    static final int SIGFIGS = 3;
    // Same names, data and percentiles as xcheck_hist.c; keep the two in step.
    static final String[] CASES = {"seq", "loguniform", "empty", "single", "sparse", "tiny"};
    static final double[] PERCENTILES = {0, 0.001, 0.07, 0.1, 0.28, 0.34, 1, 10, 25, 33.3333,
                                         50, 66.6667, 75, 83.885, 90, 95, 99, 99.5, 99.9,
                                         99.93, 99.99, 99.999, 100};
    static int failures = 0;

    // loadgate clamps out-of-range values; HdrHistogram would throw, so clamp before recording.
    static long clamp(long v) {
        return Math.max(LOWEST, Math.min(v, HIGHEST));
    }

    static Histogram build(String name) {
        Histogram h = new Histogram(LOWEST, HIGHEST, SIGFIGS);
        switch (name) {
        case "seq":
            for (long v = 1; v <= 10000; v++)
                h.recordValue(v);
            break;
        case "loguniform": {
            long state = 42; // splitmix64
            for (int i = 0; i < 100000; i++) {
                state += 0x9E3779B97F4A7C15L;
                long z = state;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                z = z ^ (z >>> 31);
                int e = (int) Long.remainderUnsigned(z, 28);
                long v = (1L << e) | ((z >>> 8) & ((1L << e) - 1));
                if (i % 997 == 0)
                    v = 5000000000L;
                h.recordValue(clamp(v));
            }
            break;
        }
        case "single":
            h.recordValue(123456789);
            break;
        case "sparse":
            h.recordValueWithCount(1, 5);
            h.recordValueWithCount(1000000, 1L << 40);
            h.recordValueWithCount(3599999999L, 1L << 60);
            h.recordValueWithCount(3600000000L, 7);
            break;
        case "tiny":
            for (long v : new long[] {1, 2, 2, 3, 2047, 2048, 2049})
                h.recordValue(v);
            break;
        case "empty":
            break;
        default:
            throw new IllegalArgumentException("unknown case " + name);
        }
        return h;
    }

    static void fail(String cs, String what, Object want, Object got) {
        System.err.println("XcheckHist: case " + cs + ": " + what + ": loadgate says " + want
                           + ", HdrHistogram has " + got);
        failures++;
    }

    static void expect(String cs, String what, long want, long got) {
        if (want != got)
            fail(cs, what, want, got);
    }

    static void expectClose(String cs, String what, double want, double got) {
        if (Math.abs(want - got) > 1e-9 * Math.max(1.0, Math.abs(want)))
            fail(cs, what, want, got);
    }

    static byte[] uncompressed(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoByteBuffer(buf);
        return Arrays.copyOf(buf.array(), n);
    }

    static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), n));
    }

    // Checks one case loadgate encoded; lines[i] is its "encoded" line.
    static int checkCase(String cs, List<String> lines, int i) throws Exception {
        String enc = lines.get(i).substring("encoded ".length());
        byte[] bytes = Base64.getDecoder().decode(enc);
        Histogram got = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        Histogram own = build(cs);
        if (!got.equals(own))
            fail(cs, "histogram (settings and every count)", "its decoding", "a different one");
        expect(cs, "lowest", LOWEST, got.getLowestDiscernibleValue());
        expect(cs, "highest", HIGHEST, got.getHighestTrackableValue());
        expect(cs, "sigfigs", SIGFIGS, got.getNumberOfSignificantValueDigits());

        // The V2 form before compression must be byte-identical to HdrHistogram's.
        int clen = ByteBuffer.wrap(bytes, 4, 4).getInt();
        Inflater inf = new Inflater();
        inf.setInput(bytes, 8, clen);
        byte[] want = uncompressed(own);
        byte[] raw = new byte[want.length + 64];
        int rn = inf.inflate(raw);
        int diff = Arrays.mismatch(want, Arrays.copyOf(raw, rn));
        if (!inf.finished() || diff >= 0)
            fail(cs, "uncompressed V2 bytes", rn + " bytes",
                 want.length + " bytes, first difference at offset " + diff);
        inf.end();

        int figures = 0;
        for (i++; i < lines.size() && !lines.get(i).equals("end"); i++) {
            String[] f = lines.get(i).split(" ");
            figures++;
            switch (f[0]) {
            case "total": expect(cs, "total", Long.parseLong(f[1]), got.getTotalCount()); break;
            case "min": expect(cs, "min", Long.parseLong(f[1]), got.getMinValue()); break;
            case "max": expect(cs, "max", Long.parseLong(f[1]), got.getMaxValue()); break;
            case "mean": expectClose(cs, "mean", Double.parseDouble(f[1]), got.getMean()); break;
            case "stddev":
                expectClose(cs, "stddev", Double.parseDouble(f[1]), got.getStdDeviation());
                break;
            case "pct": {
                double p = Double.parseDouble(f[1]);
                expect(cs, "value at percentile " + f[1], Long.parseLong(f[2]),
                       got.getValueAtPercentile(p));
                break;
            }
            default: figures--;
            }
        }
        if (figures != PERCENTILES.length + 5)
            fail(cs, "figures", PERCENTILES.length + 5, figures);
        return i;
    }

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        int seen = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("case "))
                continue;
            i = checkCase(lines.get(i).substring(5), lines, i + 1);
            seen++;
        }
        if (seen != CASES.length)
            fail("*", "number of cases", seen, CASES.length);

        StringBuilder out = new StringBuilder();
        for (String cs : CASES) {
            Histogram h = build(cs);
            out.append("case ").append(cs).append('\n');
            out.append("encoded ").append(encode(h)).append('\n');
            out.append("total ").append(h.getTotalCount()).append('\n');
            out.append("min ").append(h.getMinValue()).append('\n');
            out.append("max ").append(h.getMaxValue()).append('\n');
            out.append("mean ").append(h.getMean()).append('\n');
            out.append("stddev ").append(h.getStdDeviation()).append('\n');
            for (double p : PERCENTILES)
                out.append("pct ").append(p).append(' ').append(h.getValueAtPercentile(p)).append('\n');
            out.append("end\n");
        }
        System.out.print(out);
        if (failures > 0) {
            System.err.println("XcheckHist: " + failures + " mismatches");
            System.exit(1);
        }
        System.err.println("XcheckHist: " + seen + " loadgate-encoded histograms match HdrHistogram "
                           + "(counts, V2 bytes, figures)");
    }
}
