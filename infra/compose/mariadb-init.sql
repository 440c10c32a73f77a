-- One schema per write service, each user granted only its own (architecture.md).
CREATE DATABASE IF NOT EXISTS order_db;
CREATE DATABASE IF NOT EXISTS dispatch_db;
CREATE DATABASE IF NOT EXISTS delivery_db;
CREATE USER IF NOT EXISTS 'order_svc'@'%' IDENTIFIED BY 'order_svc_pw';
CREATE USER IF NOT EXISTS 'dispatch_svc'@'%' IDENTIFIED BY 'dispatch_svc_pw';
CREATE USER IF NOT EXISTS 'delivery_svc'@'%' IDENTIFIED BY 'delivery_svc_pw';
GRANT ALL PRIVILEGES ON order_db.* TO 'order_svc'@'%';
GRANT ALL PRIVILEGES ON dispatch_db.* TO 'dispatch_svc'@'%';
GRANT ALL PRIVILEGES ON delivery_db.* TO 'delivery_svc'@'%';
