/*
 * The dashboard page (templates/cases/dashboard.html): the period form shows only the fields
 * of the kind of period chosen, the county table sorts by any column, and the charts are drawn
 * with the vendored Apache ECharts from the JSON the page carries (#dashboard-data). Without
 * this script the page still has every number: all form fields, the table in county order, and
 * a data table under each chart.
 */
"use strict";

(() => {
  // Which fields each kind of period uses (cases/forms/dashboard.py).
  const PERIOD_FIELDS = {
    as_of: ["as_of"],
    year: ["year"],
    quarter: ["year", "quarter"],
    range: ["start", "end"],
  };

  function setUpPeriodForm(form) {
    const kind = form.querySelector("select[name=period]");
    if (!kind) {
      return;
    }
    const update = () => {
      const shown = PERIOD_FIELDS[kind.value] || PERIOD_FIELDS.as_of;
      form.querySelectorAll("[data-period-field]").forEach((wrapper) => {
        const name = wrapper.dataset.periodField;
        if (name === "period") {
          return;
        }
        const hidden = !shown.includes(name);
        wrapper.hidden = hidden;
        // A hidden field is not sent, so the address only carries the period in force.
        wrapper.querySelectorAll("input, select").forEach((input) => {
          input.disabled = hidden;
        });
      });
    };
    kind.addEventListener("change", update);
    update();
  }

  function sortValue(row, column) {
    const value = Number(row.cells[column].dataset.sortValue);
    return Number.isNaN(value) ? 0 : value;
  }

  function setUpSortableTable(table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    table.querySelectorAll("thead [data-sort-column]").forEach((button) => {
      button.addEventListener("click", () => {
        const column = Number(button.dataset.sortColumn);
        const header = button.closest("th");
        const current = header.getAttribute("aria-sort");
        // Figures sort largest first, the county column in its usual order first.
        const first = column === 0 ? "ascending" : "descending";
        const other = first === "ascending" ? "descending" : "ascending";
        const direction = current === first ? other : first;
        headers.forEach((cell) => cell.removeAttribute("aria-sort"));
        header.setAttribute("aria-sort", direction);
        const body = table.tBodies[0];
        const rows = Array.from(body.querySelectorAll("tr[data-county]"));
        const sign = direction === "ascending" ? 1 : -1;
        rows.sort((a, b) => sign * (sortValue(a, column) - sortValue(b, column)));
        rows.forEach((row) => body.appendChild(row));
      });
    });
  }

  // ECharts' HTML tooltips are markup with style="" attributes, which the Content-Security-Policy
  // (style-src 'self') refuses; "richText" draws the tooltip on the chart's canvas instead.
  const TOOLTIP_MODE = "richText";

  function drawCharts(data) {
    const locale = document.documentElement.lang.startsWith("zh") ? "ZH" : "EN";
    const charts = [];
    const grid = { left: 8, right: 16, top: 48, bottom: 8, containLabel: true };
    const legend = { top: 0, type: "scroll" };

    const draw = (name, option) => {
      const element = document.querySelector(`[data-chart="${name}"]`);
      if (!element) {
        return;
      }
      element.classList.add("is-drawn");
      const chart = window.echarts.init(element, null, { locale });
      const tooltip = { trigger: "axis", renderMode: TOOLTIP_MODE };
      chart.setOption({ grid, legend, tooltip, ...option });
      charts.push(chart);
    };
    const bars = (series, extra = {}) =>
      series.map((item) => ({ ...item, type: "bar", barMaxWidth: 48, ...extra }));

    draw("trend", {
      xAxis: { type: "category", data: data.trend.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.trend.series.map((item) => ({ ...item, type: "line", showSymbol: false })),
    });
    draw("funds", {
      xAxis: { type: "category", data: data.funds.months },
      yAxis: { type: "value", name: data.funds.unit },
      series: bars(data.funds.series, { stack: "funds" }),
    });
    draw("honour_levels", {
      xAxis: { type: "category", data: data.honour_levels.categories },
      yAxis: { type: "value", minInterval: 1 },
      series: bars(data.honour_levels.series),
    });
    draw("pairing_modes", {
      xAxis: {
        type: "category",
        data: data.pairing_modes.categories,
        axisLabel: { interval: 0, rotate: 30 },
      },
      yAxis: { type: "value", minInterval: 1 },
      series: bars(data.pairing_modes.series),
    });
    draw("participation", {
      legend: { show: false },
      xAxis: {
        type: "category",
        data: data.participation.categories,
        axisLabel: { interval: 0, rotate: 30 },
      },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      tooltip: {
        trigger: "axis",
        renderMode: TOOLTIP_MODE,
        valueFormatter: (value) => (value == null ? "—" : `${value}%`),
      },
      series: bars([{ name: data.participation.name, data: data.participation.data }]),
    });

    window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  }

  document.querySelectorAll("[data-period-form]").forEach(setUpPeriodForm);
  document.querySelectorAll("[data-sortable-table]").forEach(setUpSortableTable);
  const dataElement = document.getElementById("dashboard-data");
  if (dataElement && window.echarts) {
    drawCharts(JSON.parse(dataElement.textContent));
  }
})();
