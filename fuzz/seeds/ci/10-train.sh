
#!/bin/sh
cd src && python train.py --epochs "$EPOCHS" | tee log; dvc repro
