// Added by tests/html/run.sh to a copy of the report: where the browser laid out each chart.
const boxes = [];
for (const svg of document.querySelectorAll("svg.chart")) {
	const r = svg.getBoundingClientRect();
	boxes.push(["BOX", svg.id, Math.floor(r.left + scrollX), Math.floor(r.top + scrollY),
		    Math.ceil(r.width), Math.ceil(r.height)].join(" "));
}
boxes.push("HEIGHT " + document.documentElement.scrollHeight);
const pre = document.createElement("pre");
pre.id = "boxes";
pre.textContent = "\n" + boxes.join("\n") + "\n";
document.body.appendChild(pre);
console.log("test-html-measured");
