#!/bin/sh

#挂载 configfs
mount -t configfs configfs /sys/kernel/config/

#设置netoops
mkdir /sys/kernel/config/netoops/target1
cd /sys/kernel/config/netoops/target1/

#设置本机发送日志的ip地址
echo "1.1.1.1" > local_ip

#设置日志服务器的ip地址
echo "1.2.1.4" > remote_ip

#设置到日志服务器网关的mac地址,如果是直连网络,写日志服务器的mac地址
echo "00:0c:29:57:2d:81" > remote_mac

# 日志服务器udp端口
echo "520" > remote_port

#发送日志的网卡名称,默认是eth0
echo "eth1" > dev_name

#开启netoops
echo "1" > enabled
echo "1" > /sys/kernel/netoops/netoops_record_oom
