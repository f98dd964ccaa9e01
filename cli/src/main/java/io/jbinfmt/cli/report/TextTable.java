package io.jbinfmt.cli.report;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns: text left, numbers right (the columns named as numeric). */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] right;

    /** {@code header}: the column titles; a title starting with '>' is a right-aligned (numeric) column. */
    TextTable(String... header) {
        right = new boolean[header.length];
        String[] titles = new String[header.length];
        for (int i = 0; i < header.length; i++) {
            right[i] = header[i].startsWith(">");
            titles[i] = right[i] ? header[i].substring(1) : header[i];
        }
        rows.add(titles);
    }

    TextTable row(Object... cells) {
        if (cells.length != right.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + right.length + " columns");
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    /** The table, each line starting with {@code indent}, two spaces between columns, no trailing blanks. */
    String render(String indent) {
        int[] width = new int[right.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(width[i] - r[i].length());
                line.append(i == 0 ? "" : "  ").append(right[i] ? pad + r[i] : r[i] + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
