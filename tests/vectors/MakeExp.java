// Writes tests/vectors/exp.json: arguments and Java's StrictMath.exp of each (fdlibm's
// algorithm, which Java specifies and Spark SQL's `exp` calls), as the bits of the doubles
// in hexadecimal. The core's stats::exp must give the same bits.
//
//   java tests/vectors/MakeExp.java > tests/vectors/exp.json
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

public class MakeExp {
    public static void main(String[] args) {
        List<Double> xs = new ArrayList<>();
        double[] special = {0.0, -0.0, 1.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            709.782712893384, 709.7827128933841, 709.78, 710.0, -745.1332191019411, -745.1332191019412, -745.2,
            -708.4, -740.0, -744.0, 1e-300, -1e-300, 0x1p-28, -0x1p-28, 0x1.fffffffffffffp-29, Double.MIN_VALUE,
            0.34657359027997264, -0.34657359027997264, 1.0397207708399179, -1.0397207708399179};
        for (double x : special) xs.add(x);
        SplittableRandom random = new SplittableRandom(20261207L);
        // Uniform over the whole finite range, then the ranges each branch takes.
        double[][] ranges = {{-746, 710}, {-40, 40}, {-1.1, 1.1}, {-0.36, 0.36}, {-745.2, -708}, {700, 709.8}};
        for (double[] r : ranges) {
            for (int i = 0; i < 500; i++) xs.add(r[0] + (r[1] - r[0]) * random.nextDouble());
        }
        // Tiny arguments by their exponent.
        for (int i = 0; i < 200; i++) {
            double m = random.nextDouble() * Math.pow(2, -20 - random.nextInt(40));
            xs.add(random.nextBoolean() ? m : -m);
        }
        StringBuilder out = new StringBuilder();
        out.append("{\n  \"about\": \"x and Java StrictMath.exp(x) as IEEE bits in hex (java tests/vectors/MakeExp.java)\",\n");
        out.append("  \"java\": \"").append(System.getProperty("java.version")).append("\",\n  \"cases\": [\n");
        for (int i = 0; i < xs.size(); i++) {
            double x = xs.get(i);
            out.append(String.format("    [\"%016x\", \"%016x\"]%s\n", Double.doubleToRawLongBits(x),
                Double.doubleToRawLongBits(StrictMath.exp(x)), i + 1 < xs.size() ? "," : ""));
        }
        out.append("  ]\n}\n");
        System.out.print(out);
    }
}
