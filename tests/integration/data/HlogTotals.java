// Reads latency.hlog files with HdrHistogram's own HistogramLogReader (Debian's
// libhdrhistogram-java) and checks them against the histograms result.json holds.
//
// Usage: java -cp hdrhistogram.jar:DIR HlogTotals LABEL HLOG EXPECTED [LABEL HLOG EXPECTED]...
// EXPECTED has one line "TAG BASE64" per step of result.json (TAG as the test
// computes it from the scenario and step names, BASE64 the step's `histogram`).
// Prints, per file (each line starts with LABEL):
//   start S                 the StartTime the reader found (seconds since the epoch)
//   lines TAG N             interval lines per tag ("*": the untagged ones)
//   gaps N                  untagged intervals that do not start where the last ended
//   total TAG count=C max=M p99=P   the tag's intervals summed (values in us)
//   match TAG | MISMATCH TAG ...    the sum equals result.json's histogram, or not
//   unexpected TAG          a tag that no step of result.json has
// For "*" the expected histogram is the sum of every step's.
import java.io.BufferedReader;
import java.io.FileReader;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

public class HlogTotals {
    static Histogram fresh() {
        return new Histogram(1, 3600000000L, 3);
    }

    static String describe(Histogram h) {
        return "count=" + h.getTotalCount() + " max=" + h.getMaxValue() + " p99="
                + h.getValueAtPercentile(99.0);
    }

    static void check(String label, String hlog, String expected) throws Exception {
        HistogramLogReader reader = new HistogramLogReader(hlog);
        Map<String, Histogram> sums = new TreeMap<>();
        Map<String, Integer> lines = new TreeMap<>();
        long lastEnd = -1;
        int gaps = 0;
        EncodableHistogram e;
        while ((e = reader.nextIntervalHistogram()) != null) {
            Histogram h = (Histogram) e;
            String tag = h.getTag() == null ? "*" : h.getTag();
            sums.computeIfAbsent(tag, k -> fresh()).add(h);
            lines.merge(tag, 1, Integer::sum);
            if (h.getTag() == null) {
                // the reader turns seconds into whole milliseconds by truncation
                if (lastEnd >= 0 && Math.abs(h.getStartTimeStamp() - lastEnd) > 1)
                    gaps++;
                lastEnd = h.getEndTimeStamp();
            }
        }
        reader.close();
        System.out.printf("%s start %.3f%n", label, reader.getStartTimeSec());
        for (Map.Entry<String, Integer> l : lines.entrySet())
            System.out.println(label + " lines " + l.getKey() + " " + l.getValue());
        System.out.println(label + " gaps " + gaps);
        for (Map.Entry<String, Histogram> s : sums.entrySet())
            System.out.println(label + " total " + s.getKey() + " " + describe(s.getValue()));

        Map<String, Histogram> want = new TreeMap<>();
        Histogram all = fresh();
        try (BufferedReader in = new BufferedReader(new FileReader(expected))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(" ", 2);
                Histogram h = Histogram.decodeFromCompressedByteBuffer(
                        ByteBuffer.wrap(Base64.getDecoder().decode(f[1].trim())), 0);
                want.put(f[0], h);
                all.add(h);
            }
        }
        want.put("*", all);
        for (Map.Entry<String, Histogram> w : want.entrySet()) {
            Histogram got = sums.getOrDefault(w.getKey(), fresh());
            if (got.equals(w.getValue()))
                System.out.println(label + " match " + w.getKey());
            else
                System.out.println(label + " MISMATCH " + w.getKey() + " hlog " + describe(got)
                        + " result.json " + describe(w.getValue()));
        }
        for (String tag : sums.keySet())
            if (!want.containsKey(tag))
                System.out.println(label + " unexpected " + tag);
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 2 < args.length; i += 3)
            check(args[i], args[i + 1], args[i + 2]);
    }
}
