for t in glass expt_is_metal expt_gap; do
../../.venv/bin/python explore1.py $t et magpie,mag+ef,all,mag+ef+cust
done
../../.venv/bin/python explore_gap_hurdle.py mag+ef
