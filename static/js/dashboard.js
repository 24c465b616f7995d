/* The office's progress dashboard: draws each chart from the JSON the page carries
   (<script type="application/json" id="dashboard-charts">) with the vendored ECharts.
   A click on a bar or a slice opens the rows behind it. Without this script the tables
   beside the charts show the same figures and links. */
(function () {
  "use strict";

  function option(chart) {
    var unit = chart.unit || "";
    var formatter = function (value) { return value + unit; };
    if (chart.kind === "pie") {
      var serie = chart.series[0];
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          name: serie.name,
          type: "pie",
          radius: ["35%", "65%"],
          data: chart.categories.map(function (label, index) { return { name: label, value: serie.data[index] }; })
        }]
      };
    }
    return {
      tooltip: { trigger: "axis", valueFormatter: formatter },
      legend: { show: chart.series.length > 1, bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: chart.series.length > 1 ? 56 : 32, containLabel: true },
      xAxis: { type: "category", data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: formatter } },
      series: chart.series.map(function (serie) {
        return { name: serie.name, type: "bar", stack: chart.kind === "stack" ? "total" : undefined, data: serie.data };
      })
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.echarts === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    document.documentElement.classList.add("charts-on");
    var drawn = [];
    charts.forEach(function (chart) {
      var element = document.getElementById(chart.id);
      if (!element || chart.categories.length === 0) { return; }
      var instance = window.echarts.init(element, null, { renderer: "canvas" });
      instance.setOption(option(chart));
      instance.on("click", function (params) {
        var link = chart.links[params.dataIndex];
        if (link) { window.location.assign(link); }
      });
      drawn.push(instance);
    });
    window.addEventListener("resize", function () { drawn.forEach(function (instance) { instance.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
