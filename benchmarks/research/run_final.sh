cd /work/main
for t in glass expt_is_metal expt_gap; do
  /usr/bin/time -v taskset -c 0,1 .venv/bin/python benchmarks/research/final_run.py $t > benchmarks/research/final_$t.log 2>&1
done
