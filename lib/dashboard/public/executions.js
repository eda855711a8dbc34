// The dashboard's page script (written next).
