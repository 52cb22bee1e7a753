package bench

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// targetColor gives each target the same color in every chart.
func targetColor(name string) color.Color {
	for i, t := range Targets {
		if t == name {
			return plotutil.Color(i)
		}
	}
	return plotutil.Color(len(Targets))
}

// charts draws throughput.png (operations/s per scenario and target),
// latency-p99.png (p99 per scenario and target) and one
// latency-<scenario>.png (the percentiles of every target) per scenario,
// and returns their paths. Nothing is drawn without results.
func (r *Report) charts(dir string) ([]string, error) {
	ran := r.ranTargets()
	if len(ran) == 0 || len(r.Results) == 0 {
		return nil, nil
	}
	var files []string
	names := make([]string, len(r.Scenarios))
	for i, s := range r.Scenarios {
		names[i] = s.Name
	}
	width := vg.Length(max(6, 1.4*float64(len(names)))) * vg.Inch

	grouped := func(title, ylabel, file string, value func(*Result) float64) error {
		p := plot.New()
		p.Title.Text = title
		p.Y.Label.Text = ylabel
		p.Legend.Top = true
		barW := vg.Points(float64(60) / float64(len(ran)))
		for i, t := range ran {
			vals := make(plotter.Values, len(names))
			for j, s := range names {
				if e := r.find(t, s); e != nil && e.Result != nil {
					vals[j] = value(e.Result)
				}
			}
			bars, err := plotter.NewBarChart(vals, barW)
			if err != nil {
				return err
			}
			bars.LineStyle.Width = 0
			bars.Color = targetColor(t)
			bars.Offset = barW * vg.Length(float64(i)-float64(len(ran)-1)/2)
			p.Add(bars)
			p.Legend.Add(t, bars)
		}
		p.NominalX(names...)
		path := filepath.Join(dir, file)
		if err := p.Save(width, 4*vg.Inch, path); err != nil {
			return err
		}
		files = append(files, path)
		return nil
	}
	if err := grouped("Throughput per target and scenario", "operations/s", "throughput.png",
		func(res *Result) float64 { return res.OpsPerSec }); err != nil {
		return files, err
	}
	if err := grouped("p99 latency per target and scenario", "p99 latency (ms)", "latency-p99.png",
		func(res *Result) float64 { return res.Latency.P99 }); err != nil {
		return files, err
	}

	percentiles := []string{"p50", "p90", "p99", "p99.9", "max"}
	for _, s := range names {
		p := plot.New()
		p.Title.Text = "Latency percentiles: " + s
		p.Y.Label.Text = "latency (ms, log scale)"
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Legend.Top = true
		p.Legend.Left = true
		any := false
		for _, t := range ran {
			e := r.find(t, s)
			if e == nil || e.Result == nil || e.Result.Ops == 0 {
				continue
			}
			l := e.Result.Latency
			pts := make(plotter.XYs, len(percentiles))
			for i, v := range []float64{l.P50, l.P90, l.P99, l.P999, l.Max} {
				pts[i].X, pts[i].Y = float64(i), max(v, 0.001)
			}
			line, points, err := plotter.NewLinePoints(pts)
			if err != nil {
				return files, err
			}
			line.Color, points.Color = targetColor(t), targetColor(t)
			p.Add(line, points)
			p.Legend.Add(t, line, points)
			any = true
		}
		if !any {
			continue
		}
		p.NominalX(percentiles...)
		path := filepath.Join(dir, "latency-"+fileSafe(s)+".png")
		if err := p.Save(6*vg.Inch, 4*vg.Inch, path); err != nil {
			return files, fmt.Errorf("%s: %w", path, err)
		}
		files = append(files, path)
	}
	for _, s := range r.Scenarios {
		if !s.Timeline {
			continue
		}
		for _, c := range []struct {
			file, title, ylabel string
			value               func(Point) float64
		}{
			{"timeline-" + fileSafe(s.Name) + "-ops.png", "Successful operations over time: " + s.Name, "operations/s (error replies excluded)",
				func(p Point) float64 { return max(0, p.OpsPerSec-p.ErrorsPerSec) }},
			{"timeline-" + fileSafe(s.Name) + "-max.png", "Longest latency per 250 ms: " + s.Name, "max latency (ms)", func(p Point) float64 { return p.MaxMs }},
		} {
			p := plot.New()
			p.Title.Text = c.title
			p.X.Label.Text = "seconds"
			p.Y.Label.Text = c.ylabel
			p.Legend.Top = true
			any := false
			for _, t := range ran {
				e := r.find(t, s.Name)
				if e == nil || e.Result == nil || len(e.Result.Timeline) == 0 {
					continue
				}
				pts := make(plotter.XYs, len(e.Result.Timeline))
				for i, pt := range e.Result.Timeline {
					pts[i].X, pts[i].Y = pt.Seconds, c.value(pt)
				}
				line, err := plotter.NewLine(pts)
				if err != nil {
					return files, err
				}
				line.Color = targetColor(t)
				p.Add(line)
				p.Legend.Add(t, line)
				any = true
			}
			if !any {
				continue
			}
			p.Y.Min = 0
			path := filepath.Join(dir, c.file)
			if err := p.Save(7*vg.Inch, 3.5*vg.Inch, path); err != nil {
				return files, fmt.Errorf("%s: %w", path, err)
			}
			files = append(files, path)
		}
	}
	return files, nil
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}
