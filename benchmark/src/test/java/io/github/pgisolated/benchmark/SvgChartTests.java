package io.github.pgisolated.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgChartTests {

  private static final List<String> CATEGORIES = List.of("(a) rollback", "(b) @PgIsolated", "(c) <on demand> & drop");

  @Test
  void isWellFormedSvgWithOneBarPerValue() throws Exception {
    String svg = SvgChart.render("Title", "sub & title", CATEGORIES, List.of("1 fork", "3 forks"),
        new double[][] {{3.9, 6.8}, {4.2, 7.0}, {16.3, 13.7}}, "seconds");
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertEquals("svg", doc.getDocumentElement().getTagName());
    assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getAttribute("xmlns"));
    NodeList rects = doc.getElementsByTagName("rect");
    // background + 6 bars + 2 legend keys
    assertEquals(1 + 6 + 2, rects.getLength());
    assertTrue(svg.contains("&lt;on demand&gt; &amp; drop"), "text is escaped");
    assertTrue(svg.contains(">16.3<"), "values are shown above the bars");
  }

  @Test
  void barHeightsAreProportionalToValues() throws Exception {
    String svg = SvgChart.render("t", "s", List.of("x", "y"), List.of("one"), new double[][] {{5}, {10}}, "s");
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    NodeList rects = doc.getElementsByTagName("rect");
    double first = Double.parseDouble(((Element) rects.item(1)).getAttribute("height"));
    double second = Double.parseDouble(((Element) rects.item(2)).getAttribute("height"));
    assertEquals(2, second / first, 0.01);
  }

  @Test
  void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertEquals(5, SvgChart.niceStep(4.1));
    assertEquals(2, SvgChart.niceStep(1.3));
    assertEquals(10, SvgChart.niceStep(6));
    assertEquals(0.5, SvgChart.niceStep(0.31), 1e-12);
    assertEquals(1, SvgChart.niceStep(0));
  }

  @Test
  void refusesMismatchedOrNegativeValues() {
    assertThrows(IllegalArgumentException.class,
        () -> SvgChart.render("t", "s", List.of("x"), List.of("a", "b"), new double[][] {{1}}, "s"));
    assertThrows(IllegalArgumentException.class,
        () -> SvgChart.render("t", "s", List.of("x"), List.of("a"), new double[][] {{-1}}, "s"));
    assertThrows(IllegalArgumentException.class,
        () -> SvgChart.render("t", "s", List.of("x"), List.of("a"), new double[][] {{Double.NaN}}, "s"));
  }
}
