//! A small PDF writer: one or more A4 pages of text and rules in the
//! standard Helvetica fonts (no embedded fonts, no images), with a correct
//! cross-reference table, so the server needs no PDF engine.

/// Text for a PDF string literal: WinAnsi-safe characters only, with `(`,
/// `)` and `\` escaped.
fn pdf_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '×' => out.push('x'),
            '–' | '—' => out.push('-'),
            '€' => out.push_str("EUR "),
            '£' => out.push_str("GBP "),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// One page's drawing operations, written top-down.
#[derive(Default)]
pub struct Page {
    ops: String,
}

impl Page {
    /// Text at (`x`, `y`) points from the bottom left, `size` points, bold or not.
    pub fn text(&mut self, x: f32, y: f32, size: u32, bold: bool, s: &str) {
        let font = if bold { "F2" } else { "F1" };
        self.ops.push_str(&format!(
            "BT /{font} {size} Tf {x:.1} {y:.1} Td ({}) Tj ET\n",
            pdf_text(s)
        ));
    }

    /// A thin horizontal rule from `x1` to `x2` at `y`.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.ops
            .push_str(&format!("0.6 w {x1:.1} {y:.1} m {x2:.1} {y:.1} l S\n"));
    }
}

/// The document: its pages in order, as PDF 1.4 bytes.
pub fn write(pages: &[Page]) -> Vec<u8> {
    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, then a
    // page and its content stream per page.
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 5 + 2 * i))
        .collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    );
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .into(),
    );
    for (i, page) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>",
            6 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{}endstream",
            page.ops.len(),
            page.ops
        ));
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_xref_offset_points_at_its_object() {
        let mut a = Page::default();
        a.text(50.0, 780.0, 12, true, "Hello (world) \\ é");
        let mut b = Page::default();
        b.rule(50.0, 545.0, 700.0);
        let pdf = write(&[a, b]);
        let text = String::from_utf8(pdf.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4\n"));
        assert!(text.ends_with("%%EOF\n"));
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[start..].starts_with("xref\n0 9\n"));
        for (n, line) in text[start..].lines().skip(3).take(8).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                text[off..].starts_with(&format!("{} 0 obj", n + 1)),
                "{line}"
            );
        }
        assert!(text.contains("(Hello \\(world\\) \\\\ ?) Tj"));
        assert!(text.contains("/Count 2"));
    }
}
